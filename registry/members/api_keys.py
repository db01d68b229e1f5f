"""API keys for members' own systems: shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import Actor
from registry.errors import NotFound, ValidationFailed
from registry.models import ApiKey, Member, MemberStatus, User, utcnow

PREFIX = "kr_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(session: Session, user: User, name: str, actor: Actor) -> tuple[ApiKey, str]:
    """A new key for `user`; returns the row and the key itself (the only time it exists)."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise ValidationFailed({"name": "name the key (1 to 100 characters), e.g. 'Tally sync'"})
    secret = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(user_id=user.id, name=name, prefix=secret[:10], key_hash=digest(secret))
    session.add(key)
    session.flush()
    audit.record(session, actor, "api_key", key.id, "created", note=name)
    return key, secret


def list_for_user(session: Session, user: User) -> Sequence[ApiKey]:
    return session.scalars(
        select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at.desc())
    ).all()


def revoke(session: Session, user: User, key_id: int, actor: Actor) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.user_id != user.id:
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
        audit.record(session, actor, "api_key", key.id, "revoked", note=key.name)
    return key


def user_for_key(session: Session, presented: str) -> User | None:
    """The active user holding this unrevoked key, or None."""
    if not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    # Every API request asks this, so it is one statement that loads the user alone: the
    # key, the user and its member are judged by the database.
    return session.scalar(_HOLDER, {"key_hash": digest(presented)})


_HOLDER = (
    select(User)
    .join(ApiKey, ApiKey.user_id == User.id)
    .outerjoin(Member, Member.id == User.member_id)
    .where(
        ApiKey.key_hash == bindparam("key_hash"),
        ApiKey.revoked_at.is_(None),
        User.is_active.is_(True),
        or_(User.member_id.is_(None), Member.status == MemberStatus.ACTIVE),
    )
)
