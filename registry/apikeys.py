"""API keys for members' own systems: shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from registry import audit
from registry.actors import Actor
from registry.errors import NotFound, ValidationFailed
from registry.models import ApiKey, MemberStatus, User, utcnow

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
    # Every API request asks this: one query, not three (the user and its member come
    # with the key instead of being loaded lazily one after the other).
    key = session.scalar(
        select(ApiKey)
        .where(ApiKey.key_hash == digest(presented))
        .options(joinedload(ApiKey.user).joinedload(User.member))
    )
    if key is None or key.revoked_at is not None or not key.user.is_active:
        return None
    member = key.user.member
    if member is not None and member.status is not MemberStatus.ACTIVE:
        return None
    return key.user
