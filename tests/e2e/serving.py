"""The journeys' web server: werkzeug's threaded development server, with one repair.

When a browser resets a connection while a response is being written (it does so when it
no longer needs a favicon or a picture), werkzeug's handler drains the socket before it
closes the response, the drain raises ConnectionResetError, and the response is never
closed. A file served by `send_file` is then left open until the garbage collector finds
it, and its ResourceWarning fails whichever journey happens to be running (the suite turns
warnings into errors). Here the response is closed when the connection drops."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

RESPONSE_KEY = "tests.e2e.response"

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
    def connection_dropped(
        self, error: BaseException, environ: dict[str, Any] | None = None
    ) -> None:
        response = environ.get(RESPONSE_KEY) if environ is not None else None
        if response is not None:
            response.close()


def serve(app: WSGIApp) -> BaseWSGIServer:
    """A threaded server for `app` on a free port of 127.0.0.1 (not yet serving)."""

    def remembering(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = ClosedOnce(app(environ, start_response))
        environ[RESPONSE_KEY] = response
        return response

    return make_server(
        "127.0.0.1", 0, remembering, threaded=True, request_handler=ClosingRequestHandler
    )
