"""The dispute's life: its allowed moves, and the move the registry makes on its own when
the member settles a disputed complaint.

Apart from `registry.disputes` (raising and deciding disputes) because the complaint's
one `transition()` closes the dispute, and `registry.disputes` needs `registry.complaints`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.models import Complaint, Dispute, DisputeStatus
from registry.states import StateMachine

D = DisputeStatus

#: `closed` is the end of a dispute nobody decided: the complaint was settled meanwhile.
LIFE = StateMachine[DisputeStatus](
    entity="dispute",
    moves={
        D.OPEN: frozenset({D.UPHELD, D.REJECTED, D.CLOSED}),
        D.UPHELD: frozenset(),
        D.REJECTED: frozenset(),
        D.CLOSED: frozenset(),
    },
)

CLOSED_NOTE = "closed without a decision: the member confirmed payment and settled the complaint"


def close_for_settlement(session: Session, complaint: Complaint, actor: Actor) -> int:
    """The member settled the complaint while the debtor's dispute waited for an admin:
    there is nothing left to decide, so the open dispute is closed (it leaves the queue
    and is never flagged overdue), audited as the settling member's doing. Returns how
    many disputes were closed (at most one is ever open)."""
    waiting = session.scalars(
        select(Dispute)
        .where(Dispute.complaint_id == complaint.id, Dispute.status == D.OPEN)
        .order_by(Dispute.id)
    ).all()
    for dispute in waiting:
        LIFE.apply(session, dispute, D.CLOSED, actor, CLOSED_NOTE, action="closed")
    return len(waiting)
