"""Who is signed in to the portal, and the access rules views share."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, flash, redirect, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from portal.database import db
from portal.extensions import login_manager
from portal.i18n import say
from portal.safety import safe_next
from registry.actors import Actor
from registry.models import MemberStatus, User

F = TypeVar("F", bound=Callable[..., Any])


#: A session unused this long ends (seconds).
IDLE_TIMEOUT = 30 * 60
#: A session ends this long after its login, however busy (seconds).
ABSOLUTE_TIMEOUT = 12 * 3600
#: Sensitive acts need a password or code typed within this long (seconds).
REAUTH_WINDOW = 15 * 60
# Pages an admin without two-factor may still open (to enrol, or to leave).
ENROL_ENDPOINTS = frozenset({"web.two_factor", "web.logout", "static"})


class SignedIn(UserMixin):  # type: ignore[misc]
    """The Flask-Login view of a `User`. The id carries the user's session version, so
    `registry.members.logins.end_sessions` (logout, password change or reset,
    suspension) refuses every cookie issued before, on every worker."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}.{self.user.session_version}"

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user)


@login_manager.user_loader
def _load(session_id: str) -> SignedIn | None:
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or not user.is_active or str(user.session_version) != version:
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


def _now() -> int:
    return int(time.time())


def start_session(user: User) -> None:
    """Sign this browser in with a fresh session (no fixation), timed from now."""
    session.clear()
    login_user(SignedIn(user))
    now = _now()
    session["login_at"] = now
    session["seen_at"] = now
    session["auth_at"] = now


def end_session() -> None:
    logout_user()
    session.clear()


def confirm_identity() -> None:
    """The user just typed their password or a code: sensitive acts are open again."""
    session["auth_at"] = _now()


def recently_authenticated() -> bool:
    return _now() - int(session.get("auth_at", 0)) <= REAUTH_WINDOW


def reauth_required(view: F) -> F:
    """For sensitive acts (admin API keys, refunds, merges): a POST needs the password
    or a code typed in the last `REAUTH_WINDOW`; otherwise the user confirms first."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST" and not recently_authenticated():
            flash(say("Confirm it is you before doing that."), "info")
            back = request.referrer if request.referrer else request.path
            return redirect(url_for("web.confirm_identity", next=_local(back)))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _local(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path) or "/"


#: Blueprints whose requests never act for a signed-in person.
SESSIONLESS = frozenset({"health", "webhooks"})


def _session_checks() -> Response | None:
    """Timeouts, and admins without two-factor sent to enrol before anything else. Health
    checks, static files and webhooks carry no session of a person: they are left alone
    (a health check must answer while the database is down, without loading a user)."""
    if "_user_id" not in session or request.blueprint in SESSIONLESS:
        return None
    if request.endpoint == "static":
        return None
    now = _now()
    login_at = int(session.get("login_at", 0))
    seen_at = int(session.get("seen_at", 0))
    if now - login_at > ABSOLUTE_TIMEOUT or now - seen_at > IDLE_TIMEOUT:
        end_session()
        flash(say("Your session ended after a while; please log in again."), "info")
        if request.blueprint in {"api"}:
            return None
        return redirect(url_for("web.login"))
    if now - seen_at >= 30:
        session["seen_at"] = now
    if (
        current_user.is_authenticated
        and signed_in_user().is_admin
        and not signed_in_user().totp_secret
        and request.endpoint not in ENROL_ENDPOINTS
    ):
        return redirect(url_for("web.two_factor"))
    return None


def init_app(app: Flask) -> None:
    app.before_request(_session_checks)
