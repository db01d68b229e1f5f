"""Keeping a login safe: ending sessions, changing and resetting passwords, two-factor
(TOTP and recovery codes) and throttling password guessing per account.

Portal sessions carry the user's `session_version`; raising it (`end_sessions`) makes every
cookie issued before refused on its next request, on every worker.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from registry import audit, language, outbox
from registry.actors import Actor
from registry.errors import NotAllowed, ValidationFailed
from registry.language import N_
from registry.members.passwords import hash_password, password_problem, verify_password
from registry.models import LoginFailure, Member, PasswordReset, RecoveryCode, User, utcnow

RESET_VALID = timedelta(hours=1)
#: Failures that lock an account for the rest of the window.
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
RECOVERY_CODES = 10
TOTP_ISSUER = "Khata Registry"


# -- sessions -------------------------------------------------------------------------


def end_sessions(session: Session, who: User | Member) -> None:
    """End at once every portal session of a user, or of each user of a member."""
    users = who.users if isinstance(who, Member) else [who]
    for user in users:
        user.session_version = (user.session_version or 0) + 1
    session.flush()


# -- passwords ------------------------------------------------------------------------


def _inputs(user: User) -> tuple[str, ...]:
    return (user.email, user.member.name if user.member else "")


def _set_password(session: Session, user: User, new_password: str) -> None:
    problem = password_problem(new_password, _inputs(user))
    if problem:
        raise ValidationFailed({"password": f"The new password {problem}."})
    user.password_hash = hash_password(new_password)
    end_sessions(session, user)


def change_password(session: Session, user: User, current: str, new_password: str) -> None:
    """Signed in: needs the current password; ends every session (the caller starts a
    fresh one for the browser that asked)."""
    if not verify_password(user.password_hash, current):
        raise ValidationFailed({"current_password": N_("The current password is incorrect.")})
    _set_password(session, user, new_password)
    audit.record(session, Actor.of(user), "user", user.id, "password_changed")
    code = language.of_user(user)
    outbox.queue_email(
        session,
        "password_changed",
        user.email,
        language.translate(code, "Your Khata Registry password was changed"),
        language.translate(
            code,
            "The password of your login was changed and every other session was ended. "
            "If this was not you, reset your password at once and tell the registry.",
        ),
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(
    session: Session, email: str, base_url: str, asked_in: str = language.SOURCE
) -> None:
    """Email a one-use, one-hour reset link when the email has a login; nothing tells
    the caller whether it has. The email is in the user's language, or, for a user who
    never chose one, in `asked_in` (the language of the page it was asked from)."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active:
        return
    code = language.of_user(user) if user.language else language.chosen(asked_in)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PasswordReset(
            user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=now + RESET_VALID
        )
    )
    session.flush()
    outbox.queue_email(
        session,
        "password_reset",
        user.email,
        language.translate(code, "Reset your Khata Registry password"),
        language.translate(
            code,
            "Someone asked to reset the password of this login. To choose a new one, open\n"
            "%(link)s\n"
            "within one hour. The link works once. If it was not you, ignore this email.",
            link=f"{base_url}/reset-password/{token}",
        ),
    )


def reset_target(session: Session, token: str) -> PasswordReset | None:
    """The unused, unexpired reset this token opens, or None."""
    if not token or len(token) > 100:
        return None
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(session: Session, token: str, new_password: str) -> User:
    reset = reset_target(session, token)
    if reset is None:
        raise NotAllowed("This reset link is invalid, used or expired. Ask for a new one.")
    user = session.get_one(User, reset.user_id)
    _set_password(session, user, new_password)
    reset.used_at = utcnow()
    # Any other link still out there dies with this one.
    for other in session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ):
        other.used_at = reset.used_at
    session.execute(delete(LoginFailure).where(LoginFailure.user_id == user.id))
    audit.record(session, Actor.of(user), "user", user.id, "password_reset")
    return user


# -- throttling -----------------------------------------------------------------------


def locked_until(session: Session, user: User) -> datetime | None:
    """When the account may try again, while it has `MAX_FAILURES` recent failures."""
    since = utcnow() - FAILURE_WINDOW
    times = session.scalars(
        select(LoginFailure.at)
        .where(LoginFailure.user_id == user.id, LoginFailure.at > since)
        .order_by(LoginFailure.at.desc())
        .limit(MAX_FAILURES)
    ).all()
    if len(times) < MAX_FAILURES:
        return None
    return times[-1] + FAILURE_WINDOW


def record_failure(session: Session, user: User) -> None:
    """Count a wrong password or code; the failure that locks the account emails its
    owner. Failures older than the window are dropped, so the table stays small."""
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.user_id == user.id, LoginFailure.at <= utcnow() - FAILURE_WINDOW
        )
    )
    session.add(LoginFailure(user_id=user.id, at=utcnow()))
    session.flush()
    until = locked_until(session, user)
    if until is not None:
        recent = session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.user_id == user.id, LoginFailure.at > utcnow() - FAILURE_WINDOW)
        )
        if recent == MAX_FAILURES:
            audit.record(session, Actor("system", "throttle"), "user", user.id, "login_locked")
            outbox.queue_email(
                session,
                "login_locked",
                user.email,
                language.translate(
                    language.of_user(user), "Too many failed logins on your Khata Registry account"
                ),
                language.translate(
                    language.of_user(user),
                    "There were %(count)s failed attempts to log in to this account in "
                    "%(minutes)s minutes, so logging in is paused until %(until)s UTC. If it was "
                    "not you, reset your password.",
                    count=MAX_FAILURES,
                    minutes=int(FAILURE_WINDOW.total_seconds() // 60),
                    until=f"{until:%H:%M}",
                ),
            )


def wait_message(until: datetime) -> str:
    minutes = max(1, int((until - utcnow()).total_seconds() + 59) // 60)
    return (
        f"Too many failed logins on this account. Try again in {minutes} minute"
        f"{'s' if minutes != 1 else ''}; the owner has been emailed."
    )


# -- two-factor -----------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _totp_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step this code belongs to (one step either side allowed), unless it is
    not a code or that step was already used."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=30 * drift)
        if secrets.compare_digest(totp.at(at), code):
            step = int(at.timestamp()) // 30
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


def enable_totp(session: Session, user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor on once the user proves the app has the secret; returns the new
    recovery codes (shown once, only hashes kept)."""
    step = _totp_step(secret, code.strip().replace(" ", ""), None)
    if step is None:
        raise ValidationFailed(
            {"code": "That code is not right: enter the 6 digits the app shows."}
        )
    user.totp_secret = secret
    user.totp_last_step = step
    codes = new_recovery_codes(session, user)
    audit.record(session, Actor.of(user), "user", user.id, "two_factor_enabled")
    return codes


def set_totp_secret(session: Session, user: User) -> str:
    """Two-factor on without a check (CLI `create-admin`: the secret is printed)."""
    user.totp_secret = new_totp_secret()
    session.flush()
    return user.totp_secret


def new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(c)) for c in codes)
    session.flush()
    return codes


def check_second_factor(session: Session, user: User, code: str) -> bool:
    """A current TOTP code (each used once) or an unused recovery code (then spent)."""
    code = code.strip().replace(" ", "").lower()
    if not user.totp_secret or not code or len(code) > 40:
        return False
    step = _totp_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    if len(code) == 17 and code[8] == "-":
        for recovery in session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ):
            if verify_password(recovery.code_hash, code):
                recovery.used_at = utcnow()
                audit.record(session, Actor.of(user), "user", user.id, "recovery_code_used")
                return True
    return False


def recovery_codes_left(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )
