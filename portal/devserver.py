"""The development web server that `registry run` starts: Werkzeug's, threaded, without
the reloader. Werkzeug's own request lines are silenced: they print the full path and
query (a notice link's path is its credential); `portal.request_log` writes one access
line per request naming the route instead.

Usage: `python -m portal.devserver HOST PORT`."""

from __future__ import annotations

import contextlib
import logging
import sys

from werkzeug.serving import run_simple

from portal import create_app


def main(argv: list[str]) -> None:
    host, port = argv[0], int(argv[1])
    app = create_app()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop quietly
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
    main(sys.argv[1:])
