"""The append-only audit log: who, when, what, from which state to which, and why."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.models import AuditEntry, utcnow


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
        note=note,
    )
    session.add(entry)
    session.flush()
    return entry


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
