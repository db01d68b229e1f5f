"""The development server (`make run`, and the browser journeys) closes a response whose
connection the browser reset (a file left open there failed a journey with a
ResourceWarning)."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

from portal.devserver import server as serve

BODY = b"first"


def test_a_response_is_closed_when_the_browser_resets_its_connection() -> None:
    reset = threading.Event()
    closed = threading.Event()

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield BODY
            reset.wait(timeout=5)

        def close(self) -> None:
            closed.set()

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return Body()

    server = serve(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = socket.create_connection(("127.0.0.1", server.server_port), timeout=5)
        client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while BODY not in received:
            received += client.recv(4096)
        # Closing with a zero linger sends a reset, as a browser does with a request it
        # no longer wants.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        reset.set()
        assert closed.wait(timeout=5), "the response was left open"
    finally:
        reset.set()
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
