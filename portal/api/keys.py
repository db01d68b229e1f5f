"""Bearer-key authentication for API views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from portal.api.errors import ApiError
from portal.database import db, index_copies, uses_primary_for_reads
from registry.actors import Actor
from registry.members import api_keys
from registry.models import User

F = TypeVar("F", bound=Callable[..., Any])

SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


def key_required(
    scope: str | None = None,
    *,
    admin: bool = False,
    index_changes: bool = False,
    user: bool = True,
) -> Callable[[F], F]:
    """Require a valid key carrying `scope` (None: any valid key); with `admin`, an
    admin's key with the `admin` scope. Others get 404, like any route they may not see.
    With `index_changes` (a search), what changed in the name index since this worker's
    copy is read in the key's statement (`g.index_changes`, for `search.search`). With
    `user=False`, for a view that never calls `api_user()`, the key's user is judged but
    not loaded (`api_keys.holder_of`)."""
    needed = api_keys.ADMIN if admin else scope
    if needed is not None and needed not in api_keys.SCOPES:
        raise ValueError(f"unknown scope {needed!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            key = _presented_key()
            since = _copy_generation() if index_changes else None
            holder = api_keys.holder_of(db(), key, since, user=user) if key else None
            if holder is None:
                raise ApiError(
                    401, "unauthorized", "Send a valid API key: Authorization: Bearer <key>."
                )
            if (admin and not holder.is_admin) or (
                needed is not None and needed not in holder.scopes
            ):
                raise ApiError(404, "not_found", "Not found.")
            g.api_user = holder.user
            g.api_user_id = holder.user_id
            g.api_key_id = holder.key_id
            g.index_changes = holder.index_changes
            return view(*args, **kwargs)

        wrapped.required_scope = needed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def _copy_generation() -> int | None:
    """The generation of this worker's index copy, when a search will catch it up on the
    session the key is read on (not with a replica for searches, which may lag)."""
    copies = index_copies()
    if copies is None or not uses_primary_for_reads():
        return None
    return copies.generation_to_read()


def api_user() -> User:
    user: User | None = g.api_user
    if user is None:
        raise RuntimeError("this view's key_required(user=False) does not load the user")
    return user


def api_actor() -> Actor:
    return Actor.of(api_user())


def api_member_id() -> int:
    """The caller's member; admin keys have none, so member routes answer 404 for them."""
    member_id = api_user().member_id
    if member_id is None:
        raise ApiError(404, "not_found", "This route is for members' keys.")
    return member_id
