"""The append-only audit log: who, when, what, from which state to which, and why.

The log is a hash chain: each row stores `prev_hash` (the `entry_hash` of the row before
it, by id; `GENESIS` for the first) and `entry_hash`, the SHA-256 of its canonical form
(`canonical()`). Changing, inserting or removing a row anywhere breaks the chain at that
row, which `verify()` (`registry audit-verify`) reports. Writers are serialised so the
chain never forks: on PostgreSQL by a transaction-scoped advisory lock taken before the
head is read (held until the writing transaction ends); on SQLite by its one write lock,
taken before the head is read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry import language
from registry.actors import Actor
from registry.models import AuditEntry, utcnow

GENESIS = "0" * 64
#: The columns a row's hash covers, in the canonical form's (sorted) key order.
CHAINED = (
    "action",
    "actor_kind",
    "actor_label",
    "actor_user_id",
    "at",
    "entity_id",
    "entity_type",
    "from_state",
    "note",
    "prev_hash",
    "to_state",
)
#: Any fixed number: the key of PostgreSQL's advisory lock on the chain's head.
CHAIN_LOCK = 0x6B68617461  # "khata"


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(values: Mapping[str, Any]) -> bytes:
    """The bytes a row's hash is taken of: a JSON object of the `CHAINED` columns, keys
    sorted, no spaces (`,` and `:`), non-ASCII kept as UTF-8, `at` as UTC with six
    fractional digits and `Z` (`2026-12-04T12:38:42.123456Z`), `actor_user_id` a number
    or null, the other columns strings or null; `note_values` (the note's catalogue text
    and values) is in it only when the row has one, so rows written before it keep their
    hashes. The row's own id is not in it (it is not
    known before the insert); the chain's order is the order of ids."""
    data = {name: values[name] for name in CHAINED}
    data["at"] = _timestamp(values["at"])
    if values.get("note_values") is not None:
        data["note_values"] = values["note_values"]
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


def _values(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in (*CHAINED, "note_values")}


def _chain_head(session: Session) -> str:
    """The hash the next row must carry, after taking the chain's lock."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    elif dialect == "sqlite":
        # Take SQLite's one write lock before reading the head (a write that changes
        # nothing), so the head cannot move between the read and the insert.
        session.execute(text("UPDATE audit_log SET id = id WHERE 0"))
    head = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    return head or GENESIS


def record(
    session: Session,
    actor: Actor,
    entity_type: str,
    entity_id: int | str,
    action: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=utcnow(),
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        entity_type=entity_type,
        entity_id=str(entity_id),
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note if note is None else str(note),
        note_values=json.dumps(language.stored(note)) if isinstance(note, language.Said) else None,
    )
    session.flush()  # anything pending goes first, so the head read below is the last row
    entry.prev_hash = _chain_head(session)
    entry.entry_hash = entry_hash(_values(entry))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    first_bad: int | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "entries": self.entries}
        if self.first_bad is not None:
            out["first_bad"] = self.first_bad
        return out


def check_chain(rows: Iterable[AuditEntry]) -> Verdict:
    """Walk rows in id order: each must carry the previous row's hash and its own.
    `entries` counts every row; `first_bad` is the first row where the chain breaks."""
    previous = GENESIS
    count = 0
    first_bad: int | None = None
    for row in rows:
        count += 1
        if first_bad is not None:
            continue
        if row.prev_hash != previous or row.entry_hash != entry_hash(_values(row)):
            first_bad = row.id
        previous = row.entry_hash or ""
    return Verdict(first_bad is None, count, first_bad)


def verify(session: Session) -> Verdict:
    """Check the whole chain, reading it in batches."""
    rows = session.scalars(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=2000)
    )
    return check_chain(rows)


def history(session: Session, entity_type: str, entity_id: int | str) -> Sequence[AuditEntry]:
    """An entity's audit entries, oldest first."""
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()


def public_label(entry: AuditEntry) -> str:
    """Who did it, as shown to a member: staff and debtors are not named."""
    return {
        "admin": "registry admin",
        "debtor": "reported business",
        "system": "registry",
        "gateway": "payment gateway",
    }.get(entry.actor_kind, entry.actor_label)
