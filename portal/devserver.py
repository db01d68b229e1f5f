"""The development web server that `registry run` starts: Werkzeug's, threaded, without
the reloader. Werkzeug's own request lines are silenced: they print the full path and
query (a notice link's path is its credential); `portal.request_log` writes one access
line per request naming the route instead.

One repair to Werkzeug's handler: when a browser resets a connection while a response is
being written (it does, for a favicon or a picture it no longer wants), the handler drains
the socket before it closes the response, the drain raises ConnectionResetError, and the
response is never closed; a file sent by `send_file` stays open until the garbage
collector finds it. Here the response is closed when the connection drops. The browser
journeys (tests/e2e) run on this same server.

Usage: `python -m portal.devserver HOST PORT`."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server, run_simple

from portal import create_app

RESPONSE_KEY = "portal.devserver.response"

WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class ClosedOnce:
    """A response body whose close() runs at most once, however often it is called."""

    def __init__(self, body: Iterable[bytes]) -> None:
        self._body = body
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


class ClosingRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, closing the response of a connection the client dropped
    (the app must be wrapped by `closing`, which hands the response over)."""

    def connection_dropped(
        self, error: BaseException, environ: dict[str, Any] | None = None
    ) -> None:
        response = environ.get(RESPONSE_KEY) if environ is not None else None
        if response is not None:
            response.close()


def closing(app: WSGIApp) -> WSGIApp:
    """`app`, its responses closable once and left where `ClosingRequestHandler` finds them."""

    def remembering(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = ClosedOnce(app(environ, start_response))
        environ[RESPONSE_KEY] = response
        return response

    return remembering


def server(app: WSGIApp, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """A threaded server for `app` (on a free port by default), not yet serving."""
    return make_server(
        host, port, closing(app), threaded=True, request_handler=ClosingRequestHandler
    )


def main(argv: list[str]) -> None:
    host, port = argv[0], int(argv[1])
    app = create_app()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop quietly
        run_simple(
            host,
            port,
            closing(app),
            threaded=True,
            use_reloader=False,
            use_debugger=False,
            request_handler=ClosingRequestHandler,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
