"""The one error shape of the API: {"error": {"code", "message", "fields"?, ...}}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: Mapping[str, str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})
        self.extra = extra

    def response(self) -> Response:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        # Extra details (e.g. "candidates") also stand beside "error", where a client that
        # only branches on the code finds them without digging.
        response = jsonify({"error": body, **self.extra})
        response.status_code = self.status
        response.headers.update(self.headers)
        return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, str]:
    """webargs/marshmallow nest errors ({"debtor": {"gstin": ["..."]}}); API.md wants
    dotted paths ({"debtor.gstin": "..."}). The request location ("json") is dropped."""
    flat: dict[str, str] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if not prefix and key in {"json", "query", "form", "files", "headers"}:
                flat.update(flatten_messages(value, ""))
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, name))
    elif isinstance(messages, list | tuple):
        if messages and all(isinstance(m, str) for m in messages):
            flat[prefix or "_body"] = "; ".join(messages)
        else:
            for item in messages:
                flat.update(flatten_messages(item, prefix))
    else:
        flat[prefix or "_body"] = str(messages)
    return flat
