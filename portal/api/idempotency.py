"""`Idempotency-Key` on the API's POSTs that do something once (file, order): see
`registry.idempotency`. Goes below `key_required` (the member is known) and above the
schema decorators (it sees the request as sent and the response as answered)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, request

from portal.api.keys import api_member_id
from portal.database import db
from registry import idempotency

F = TypeVar("F", bound=Callable[..., Any])

HEADER = "Idempotency-Key"

#: For the OpenAPI document: the header each idempotent route takes.
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": idempotency.MAX_KEY},
    "description": "Any unique string: the same key from your member within 24 hours "
    "answers what the first request answered and does nothing again; the same key with "
    "a different body answers 409 idempotency_conflict.",
}


def idempotent(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        raw = request.headers.get(HEADER)
        if raw is None:
            return view(*args, **kwargs)
        key = idempotency.check_key(raw)  # a bad key: 422 on the header
        body = request.get_json(silent=True)
        fingerprint = idempotency.fingerprint(body if body is not None else request.get_data())
        session = db()
        scope = f"{request.method} {request.url_rule.rule if request.url_rule else request.path}"
        began = idempotency.begin(session, api_member_id(), scope, key, fingerprint)
        if isinstance(began, idempotency.Replay):
            return Response(began.body, status=began.status_code, mimetype="application/json")
        response = view(*args, **kwargs)
        if isinstance(response, Response) and response.status_code < 400:
            idempotency.finish(
                session, began, response.status_code, response.get_data(as_text=True)
            )
        return response

    return cast(F, wrapped)
