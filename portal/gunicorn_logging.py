"""gunicorn's access log without secrets: the request line shows the route's template
(`GET /notice/<token> HTTP/1.1`), never the path or query string, which may carry a
notice token or a reset link; the referer (a page's full address) is cut to its origin;
request headers (Authorization, Cookie) and the WSGI environ are never logged.

`gunicorn.conf.py` at the repository's root names this class (`logger_class`); gunicorn
reads that file from its working directory. The route is left in the environ by
`portal.request_log` while the app answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

from portal.request_log import ROUTE_KEY, UNMATCHED

#: Atoms that name no secret; the rest (request headers, environ) are dropped.
SAFE_ATOMS = frozenset("hltsmHbBaTDMLp") | {"{x-request-id}o"}


def _origin(referer: str) -> str:
    if not referer or referer == "-":
        return "-"
    parts = urlsplit(referer)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "-"


class RedactingLogger(Logger):  # type: ignore[misc]
    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        route = environ.get(ROUTE_KEY, UNMATCHED)
        kept = {key: value for key, value in atoms.items() if key in SAFE_ATOMS}
        kept.update(
            r=f"{environ.get('REQUEST_METHOD', '-')} {route} {environ.get('SERVER_PROTOCOL', '-')}",
            U=route,
            q="",
            f=_origin(str(environ.get("HTTP_REFERER", "-"))),
            u="-",
        )
        return kept
