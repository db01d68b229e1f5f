"""The OpenAPI document tells the truth about errors: every operation lists the statuses
it can answer, each with the one error shape of API.md (`schemas.Error`), not
flask-smorest's default. Which statuses follow from what the operation is: keyed (401;
404 for a resource not yours or a key beyond its scope), with a path id (404), with a
body or query (422; 413 for a body too large), limited (429), changing state (409).
`tests/security/test_openapi.py` holds the document to the code."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apispec import BasePlugin

#: Operations with a rate limit of their own (API.md, "Lists, limits and keys").
LIMITED = ("/businesses/search", "/notices/")


ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _ref(status: int) -> str:
    """flask-smorest registers one response component per status, named as Python names
    it (`UNPROCESSABLE_ENTITY` or `UNPROCESSABLE_CONTENT` depending on the version)."""
    return HTTPStatus(status).name


class ErrorResponses(BasePlugin):  # type: ignore[misc]
    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            statuses = set()
            if operation.get("security"):
                statuses |= {401, 404}
            if path and "{" in path:
                statuses.add(404)
            parameters = [p for p in operation.get("parameters", []) if isinstance(p, dict)]
            if operation.get("requestBody") or any(p.get("in") == "query" for p in parameters):
                statuses.add(422)
            if "requestBody" in operation:
                statuses.add(413)
            if path and any(part in path for part in LIMITED):
                statuses.add(429)
            if method == "post":
                statuses.add(409)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                if status not in responses and str(status) not in responses:
                    responses[str(status)] = _ref(status)
            for status, response in responses.items():
                # An error a view describes in words (`alt_response(422, description=...)`)
                # still has the one shape.
                if str(status).isdigit() and int(status) >= 400 and isinstance(response, dict):
                    response.setdefault("content", {"application/json": {"schema": ERROR_REF}})
