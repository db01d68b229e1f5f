"""Disputes raised by a reported business, and the admins' deadline to decide them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit, outbox
from registry.actors import SYSTEM
from registry.models import Dispute, DisputeStatus, utcnow
from registry.states import StateMachine

D = DisputeStatus

LIFE = StateMachine[DisputeStatus](
    entity="dispute",
    moves={
        D.OPEN: frozenset({D.UPHELD, D.REJECTED}),
        D.UPHELD: frozenset(),
        D.REJECTED: frozenset(),
    },
)


def is_overdue(dispute: Dispute, now: datetime | None = None) -> bool:
    return dispute.status is D.OPEN and dispute.due_at <= (now or utcnow())


def flag_overdue(session: Session, now: datetime | None = None) -> int:
    """Email the admins once about each open dispute past its deadline; returns how many."""
    now = now or utcnow()
    overdue = session.scalars(
        select(Dispute)
        .where(
            Dispute.status == D.OPEN,
            Dispute.due_at <= now,
            Dispute.overdue_notified_at.is_(None),
        )
        .order_by(Dispute.due_at)
    ).all()
    for dispute in overdue:
        dispute.overdue_notified_at = now
        audit.record(session, SYSTEM, "dispute", dispute.id, "overdue", note="deadline passed")
        outbox.email_admins(
            session,
            "dispute_overdue",
            f"Dispute #{dispute.id} is past its deadline",
            f"The dispute on complaint #{dispute.complaint_id} was due on "
            f"{dispute.due_at:%Y-%m-%d}. Decide it in the dispute queue.",
        )
    session.flush()
    return len(overdue)
