"""The complaint's life (PRODUCT.md): allowed moves, the one transition function, and
the moves that time makes (notice period over)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry import audit, outbox
from registry.actors import DEBTOR, SYSTEM, Actor
from registry.complaints.notices import reminders
from registry.errors import InvalidTransition, ValidationFailed
from registry.language import N_, day, of_member, translate
from registry.members import watches
from registry.models import AuditEntry, Complaint, ComplaintStatus, Dispute, DisputeStatus, utcnow
from registry.models.complaints import shown_to_others
from registry.settings import Settings
from registry.states import StateMachine

C = ComplaintStatus

LIFE = StateMachine[ComplaintStatus](
    entity="complaint",
    moves={
        C.FILED: frozenset({C.IN_NOTICE}),
        C.IN_NOTICE: frozenset({C.LISTED, C.DISPUTED, C.SETTLED, C.WITHDRAWN}),
        C.LISTED: frozenset({C.DISPUTED, C.SETTLED}),
        C.DISPUTED: frozenset({C.LISTED, C.REMOVED, C.SETTLED}),
        C.SETTLED: frozenset(),
        C.REMOVED: frozenset(),
        C.WITHDRAWN: frozenset(),
    },
)

#: The dispute's life beside the complaint's: settling a disputed complaint closes its
#: dispute in the same move, so both machines live here (`registry.complaints.disputes`
#: raises and decides disputes through them).
D = DisputeStatus

#: `closed` is the end of a dispute nobody decided: the complaint was settled meanwhile.
DISPUTE_LIFE = StateMachine[DisputeStatus](
    entity="dispute",
    moves={
        D.OPEN: frozenset({D.UPHELD, D.REJECTED, D.CORRECTED, D.CLOSED}),
        D.UPHELD: frozenset(),
        D.REJECTED: frozenset(),
        D.CORRECTED: frozenset(),
        D.CLOSED: frozenset(),
    },
)

CLOSED_NOTE = N_(
    "closed without a decision: the member confirmed payment and settled the complaint"
)


def transition_dispute(
    session: Session,
    dispute: Dispute,
    target: DisputeStatus,
    actor: Actor,
    note: str | None = None,
    *,
    action: str = "transition",
) -> None:
    """The one way a dispute changes state (checked, audited): decided by an admin
    (`registry.complaints.disputes.decide`) or closed when its complaint is settled."""
    DISPUTE_LIFE.apply(session, dispute, target, actor, note, action=action)


def close_dispute_for_settlement(session: Session, complaint: Complaint, actor: Actor) -> int:
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
        transition_dispute(session, dispute, D.CLOSED, actor, CLOSED_NOTE, action="closed")
    return len(waiting)


MAX_PROMISE_DAYS = 180
#: States that end the complaint's life.
CLOSED = frozenset({C.SETTLED, C.REMOVED, C.WITHDRAWN})


def transition(
    session: Session,
    complaint: Complaint,
    target: ComplaintStatus,
    actor: Actor,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Move a complaint along its life, stamping the dates the report relies on (at
    `now`, the clock by default); watchers hear of it when other members could see the
    complaint before or after the move. A disputed complaint that is settled closes its
    dispute: nothing is left to decide. The audit rows carry the time they are written,
    as every audit row does."""
    was_shown = shown_to_others(complaint)
    first_listing = target is C.LISTED and complaint.listed_at is None
    previous = LIFE.apply(session, complaint, target, actor, note)
    if previous is C.DISPUTED and target is C.SETTLED:
        close_dispute_for_settlement(session, complaint, actor)
    now = now or utcnow()
    if first_listing:
        complaint.listed_at = now
    if target in CLOSED:
        complaint.closed_at = now
    reminders.schedule(complaint)  # due in notice (its dates are set first), none after
    watches.complaint_changed(
        session,
        complaint,
        previous,
        was_shown or shown_to_others(complaint),
        first_listing=first_listing,
    )
    session.flush()


def member_complaints(member_id: int) -> Select[Complaint]:
    """A member's complaints, newest first (for a paged list)."""
    return select(Complaint).where(Complaint.member_id == member_id).order_by(Complaint.id.desc())


def list_for_member(session: Session, member_id: int) -> Sequence[Complaint]:
    return session.scalars(member_complaints(member_id)).all()


def get_for_member(session: Session, complaint_id: int, member_id: int) -> Complaint | None:
    """The complaint if it is this member's; None otherwise (callers answer 404, not 403)."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None or complaint.member_id != member_id:
        return None
    return complaint


def history(session: Session, complaint: Complaint) -> Sequence[AuditEntry]:
    return audit.history(session, "complaint", complaint.id)


def list_due_notices(session: Session, now: datetime) -> Sequence[Complaint]:
    return session.scalars(
        select(Complaint)
        .where(Complaint.status == C.IN_NOTICE, Complaint.notice_ends_at <= now)
        .order_by(Complaint.notice_ends_at)
    ).all()


def list_notice_period_over(session: Session, now: datetime | None = None) -> int:
    """List every complaint whose notice period ended by `now` without a dispute, listed
    as of `now` (the worker's round); returns how many. A disputed complaint is not
    `in_notice`, so it is never listed here."""
    now = now or utcnow()
    due = list_due_notices(session, now)
    for complaint in due:
        transition(
            session,
            complaint,
            C.LISTED,
            SYSTEM,
            N_("notice period ended without a dispute"),
            now=now,
        )
    return len(due)


def settle(
    session: Session,
    complaint: Complaint,
    actor: Actor,
    note: str | None = None,
    settings: Settings | None = None,
) -> None:
    """The member confirms it was paid; the complaint stays in history as settled. The
    debtor is told in writing (its proof that the claim is closed)."""
    disputed = complaint.status is C.DISPUTED
    transition(
        session, complaint, C.SETTLED, actor, (note or "").strip() or N_("payment confirmed")
    )
    shown = shown_to_others(complaint)
    values = {"member": complaint.member.name, "id": complaint.id}

    def write(code: str) -> tuple[str, str]:
        if shown:
            record = translate(
                code,
                "Other members see it in your history as settled for five years, a good sign "
                "in your credit report.",
            )
        else:
            record = translate(code, "It was never shown to other members, and it never will be.")
        body = " ".join(
            (
                translate(
                    code,
                    "%(member)s confirmed your payment and marked its complaint #%(id)s settled.",
                    **values,
                ),
                record,
            )
        )
        if disputed:
            body += "\n\n" + translate(
                code,
                "Your dispute about it is closed without a decision: nothing is left to decide.",
            )
        subject = translate(code, "%(member)s marked its complaint #%(id)s settled", **values)
        return subject, body

    _tell_debtor(session, complaint, "complaint_settled", write, settings)


def withdraw(
    session: Session,
    complaint: Complaint,
    actor: Actor,
    note: str | None = None,
    settings: Settings | None = None,
) -> None:
    """The member takes the complaint back while it is still in notice (the debtor is
    told: the notice it received no longer stands)."""
    if complaint.status is not C.IN_NOTICE:
        raise InvalidTransition("complaint", complaint.status.value, C.WITHDRAWN.value)
    transition(session, complaint, C.WITHDRAWN, actor, (note or "").strip() or "withdrawn")
    values = {"member": complaint.member.name, "id": complaint.id}

    def write(code: str) -> tuple[str, str]:
        return (
            translate(code, "%(member)s withdrew its complaint #%(id)s", **values),
            translate(
                code,
                "%(member)s withdrew its complaint #%(id)s: you need do nothing about the notice "
                "you received. It was never shown to other members, and it never will be.",
                **values,
            ),
        )

    _tell_debtor(session, complaint, "complaint_withdrawn", write, settings)


def _tell_debtor(
    session: Session,
    complaint: Complaint,
    kind: str,
    write: Callable[[str], tuple[str, str]],
    settings: Settings | None = None,
) -> None:
    """A message to the debtor in English and Hindi (`write(code)` gives one language's
    subject and body) by email, SMS and WhatsApp (whichever the complaint has), pointing at
    its notice link, in that language, while that link still opens."""
    from registry.complaints.notices import recipients
    from registry.complaints.notices.mail import open_notice_link

    expires = complaint.notice_expires_at
    still_opens = expires is not None and expires > utcnow()

    def version(code: str) -> recipients.Version:
        subject, body = write(code)
        if still_opens:
            body += "\n\n" + translate(
                code, "The notice link you received shows the complaint as it stands."
            )
        return recipients.Version(
            code, subject, body, subject, open_notice_link(settings, complaint, code)
        )

    recipients.tell_debtor(session, complaint, kind, recipients.in_both(version))


def promise_payment(session: Session, complaint: Complaint, by: date, today: date) -> None:
    """The debtor agrees to pay by a date; the member is told, the status does not change.
    Repeating the promise already recorded changes nothing and sends nothing."""
    if complaint.status not in {C.IN_NOTICE, C.LISTED}:
        raise InvalidTransition("complaint", complaint.status.value, "promised payment")
    if not today < by <= today + timedelta(days=MAX_PROMISE_DAYS):
        raise ValidationFailed(
            {"pay_by": f"choose a date after today and within {MAX_PROMISE_DAYS} days"}
        )
    if complaint.promised_payment_date == by:
        return  # the same promise again (a reload, a double click): the member knows it
    complaint.promised_payment_date = by
    audit.record(
        session, DEBTOR, "complaint", complaint.id, "promised_payment", note=f"will pay by {by}"
    )
    code = of_member(complaint.member)
    outbox.queue_email(
        session,
        "payment_promised",
        complaint.member.contact_email,
        translate(
            code,
            "%(business)s promises to pay by %(day)s",
            business=complaint.business.name,
            day=day(by, code),
        ),
        translate(
            code,
            "The debtor of complaint #%(id)s says it will pay by %(day)s. When it does, mark "
            "the complaint settled.",
            id=complaint.id,
            day=day(by, code),
        ),
    )
