"""Who is signed in to the portal, and the access rules views share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import UserMixin, current_user, login_required

from portal.database import db
from portal.extensions import login_manager
from registry.actors import Actor
from registry.models import MemberStatus, User

F = TypeVar("F", bound=Callable[..., Any])


class SignedIn(UserMixin):  # type: ignore[misc]
    """The Flask-Login view of a `User`. The id carries a fragment of the password hash,
    so changing a password signs out every other session."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}.{self.user.password_hash[-12:]}"

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user)


@login_manager.user_loader
def _load(session_id: str) -> SignedIn | None:
    user_id, _, fragment = session_id.partition(".")
    if not user_id.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.is_active or user.password_hash[-12:] != fragment:
        return None
    if user.member is not None and user.member.status is not MemberStatus.ACTIVE:
        return None
    return SignedIn(user)


def signed_in_user() -> User:
    user: User = current_user.user
    return user


def member_required(view: F) -> F:
    """Signed in as a user of an active member (admins use the admin pages)."""

    @wraps(view)
    @login_required  # type: ignore[misc]
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if signed_in_user().member_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @wraps(view)
    @login_required  # type: ignore[misc]
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not signed_in_user().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
