"""API keys for members' own systems: shown once, stored as a SHA-256 digest.

A key carries scopes (what it may do) and may expire. A key used beyond its scope is
answered like a route it may not see (404), by the API layer."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, null, or_, select, true, update
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import Actor
from registry.db import DriverStatement
from registry.errors import NotFound, ValidationFailed
from registry.language import N_
from registry.models import ApiKey, Member, MemberStatus, Role, User, utcnow
from registry.search_index.memory_copy import ReadChanges, changes_since

PREFIX = "kr_"

SEARCH, FILE, REPORTS, WATCH, ADMIN = "search", "file", "reports", "watch", "admin"
SCOPES = (SEARCH, FILE, REPORTS, WATCH, ADMIN)
SCOPE_LABELS = {
    SEARCH: N_("search businesses"),
    FILE: N_("file and manage complaints"),
    REPORTS: N_("buy and read credit reports"),
    WATCH: N_("watch businesses"),
    ADMIN: N_("admin routes"),
}
ROLE_SCOPES = {
    Role.MEMBER: frozenset({SEARCH, FILE, REPORTS, WATCH}),
    Role.ADMIN: frozenset(SCOPES),
}
#: `last_used_at` is written at most this often per key (each write is a row update).
LAST_USED_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Holder:
    """Who presented a key, and the key itself."""

    #: the mapped user, or None when `holder_of` was asked for the key alone
    user: User | None
    user_id: int
    is_admin: bool
    key_id: int
    scopes: frozenset[str]
    #: what changed in the name index since the generation asked for (`holder_of`'s
    #: `index_changes_since`), read with the key: that generation and the rows
    index_changes: ReadChanges | None = None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(
    session: Session,
    user: User,
    name: str,
    actor: Actor,
    *,
    scopes: Iterable[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key for `user`; returns the row and the key itself (the only time it exists).
    Without `scopes`, the key carries every scope the user's role allows."""
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 100:
        errors["name"] = N_("name the key (1 to 100 characters), e.g. 'Tally sync'")
    allowed = ROLE_SCOPES[user.role]
    chosen = allowed if scopes is None else frozenset(scopes)
    if not chosen:
        errors["scopes"] = N_("choose at least one thing the key may do")
    elif not chosen <= allowed:
        errors["scopes"] = "choose among: " + ", ".join(s for s in SCOPES if s in allowed)
    if expires_at is not None and expires_at <= utcnow():
        errors["expires_at"] = N_("an expiry must be in the future")
    if errors:
        raise ValidationFailed(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=secret[:10],
        key_hash=digest(secret),
        scopes=" ".join(s for s in SCOPES if s in chosen),
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    note = f"{name} ({key.scopes}"
    note += f", expires {expires_at:%Y-%m-%d %H:%M} UTC)" if expires_at else ")"
    audit.record(session, actor, "api_key", key.id, "created", note=note)
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


def holder_of(
    session: Session,
    presented: str,
    index_changes_since: int | None = None,
    *,
    user: bool = True,
) -> Holder | None:
    """The active user holding this unrevoked, unexpired key (of an active member), or
    None. Marks the key used (at most once a `LAST_USED_STEP`). With
    `index_changes_since` (a search's index copy's generation), what changed in the name
    index since then is read in the same statement (`Holder.index_changes`). With
    `user=False` the user is judged as always but not loaded (`Holder.user` is None): a
    request that never asks for it (a search) is spared the mapped object, whose loading
    cost more than the statement."""
    if not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    # Every API request asks this, so it is one statement: the key, its expiry, the user
    # and its member are judged by the database (a suspended member's keys stop at once);
    # a search's look for index changes rides along (one row per change, the key's
    # columns repeated).
    now = utcnow()
    params: dict[str, object] = {"key_hash": digest(presented), "now": now}
    changes: ReadChanges | None = None
    if index_changes_since is not None:
        params["seen"] = index_changes_since
    rows = _holder_rows(session, user, index_changes_since is not None, params)
    if not rows:
        return None
    row = rows[0]
    if index_changes_since is not None:
        at = _CHANGES_AT
        changes = (index_changes_since, [tuple(r[at:]) for r in rows if r[at] is not None])
    mapped, user_id, role, key_id, scopes, last_used_at = row[:_CHANGES_AT]
    if last_used_at is None or last_used_at < now - LAST_USED_STEP:
        # Requests with one key in parallel do not queue behind each other for this: the
        # one that gets the row writes it, the others skip it (PostgreSQL).
        stale = or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_STEP)
        mine = select(ApiKey.id).where(ApiKey.id == key_id, stale)
        session.execute(
            update(ApiKey)
            .where(ApiKey.id.in_(mine.with_for_update(skip_locked=True).scalar_subquery()))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
    return Holder(mapped, user_id, role is Role.ADMIN, key_id, frozenset(scopes.split()), changes)


def user_for_key(session: Session, presented: str) -> User | None:
    """The active user holding this unrevoked, unexpired key, or None."""
    holder = holder_of(session, presented)
    return holder.user if holder else None


#: What a key's statement reads beside the mapped user (or NULL in its place, `_holder`).
_KEY_COLUMNS = (User.id, User.role, ApiKey.id, ApiKey.scopes, ApiKey.last_used_at)
#: Where the index's changes start in a row of `_holder_and_changes`.
_CHANGES_AT = 1 + len(_KEY_COLUMNS)

_HOLDER = (
    select(User, *_KEY_COLUMNS)
    .join(ApiKey, ApiKey.user_id == User.id)
    .outerjoin(Member, Member.id == User.member_id)
    .where(
        ApiKey.key_hash == bindparam("key_hash"),
        ApiKey.revoked_at.is_(None),
        or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > bindparam("now")),
        User.is_active.is_(True),
        or_(User.member_id.is_(None), Member.status == MemberStatus.ACTIVE),
    )
)


def _holder_rows(
    session: Session, user: bool, changes: bool, params: dict[str, object]
) -> Sequence[Any]:
    """The rows of the key's statement (`_holder`, or `_holder_and_changes`): through the
    session when the mapped user is read, else on the connection's driver cursor, as
    every search's key is (`DriverStatement`)."""
    if user:
        statement = _holder_and_changes(user) if changes else _holder(user)
        return session.execute(statement, params).all()
    return _holder_reader(changes).rows(session.connection(), params)


@cache
def _holder_reader(changes: bool) -> DriverStatement:
    """The key's statement without the mapped user, on the driver's cursor."""
    if changes:
        return DriverStatement(_holder_and_changes(False), ("key_hash", "now", "seen"))
    return DriverStatement(_holder(False), ("key_hash", "now"))


@cache
def _holder(user: bool) -> Any:
    """`_HOLDER`, its first column the mapped user, or NULL without `user`."""
    if user:
        return _HOLDER
    return _HOLDER.with_only_columns(null(), *_KEY_COLUMNS)


@cache
def _holder_and_changes(user: bool) -> Any:
    """`_holder` with `memory_copy.changes_since` beside it (a search's request). The
    index's state row always exists once migrated; were it missing, the outer join still
    gives the key (and the copy then reads its changes itself, finding none)."""
    changes = changes_since()
    return _holder(user).add_columns(*changes.c).outerjoin(changes, true())
