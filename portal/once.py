"""One-use form tokens: the filing and ordering forms carry a random token (a hidden
field), and the first submit that succeeds keeps it with where it led, so a double click
or a browser's retried POST is taken to the same result instead of doing it again
(`registry.idempotency` underneath, as the API's Idempotency-Key)."""

from __future__ import annotations

import secrets

from flask import redirect
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.validators import Length, Optional

from portal.database import db
from portal.forms import Form
from registry import idempotency
from registry.models import IdempotentRequest

#: A one-use token has no body to compare: the token alone says "this submit".
_SAME = idempotency.fingerprint(b"form")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def once_field() -> HiddenField:
    return HiddenField(default=new_token, validators=[Optional(), Length(max=64)])


class OnceConfirmForm(Form):
    """A confirmation button whose POST is done once (ordering a report)."""

    once = once_field()


def begin(member_id: int, scope: str, token: str | None) -> Response | IdempotentRequest | None:
    """A redirect to where this token's earlier submit led, or its reserved row (None: the
    form came without a token, from a page older than the tokens)."""
    if not token:
        return None
    began = idempotency.begin(db(), member_id, f"form {scope}", token, _SAME)
    if isinstance(began, idempotency.Replay):
        return redirect(began.location or "/", 303)
    return began


def finish(row: IdempotentRequest | None, location: str) -> None:
    if row is not None:
        idempotency.finish(db(), row, 303, None, location)
