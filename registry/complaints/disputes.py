"""Disputes raised by a reported business, decided by registry admins within a deadline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry import audit, language, outbox
from registry.actors import DEBTOR, SYSTEM, Actor
from registry.complaints import life
from registry.complaints.notices import recipients
from registry.complaints.notices.mail import open_notice_link
from registry.errors import InvalidTransition, ValidationFailed
from registry.language import N_, Said
from registry.models import (
    Complaint,
    ComplaintStatus,
    Dispute,
    DisputeReason,
    DisputeStatus,
    utcnow,
)
from registry.money import rupees
from registry.settings import Settings
from registry.uploads import evidence

D = DisputeStatus
MAX_DOCUMENTS = 10
LIFE = life.DISPUTE_LIFE


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes


def is_overdue(dispute: Dispute, now: datetime | None = None) -> bool:
    return dispute.status is D.OPEN and dispute.due_at <= (now or utcnow())


#: The days of a dispute's clock on which the worker reminds the admins (once each).
REMINDER_DAYS = (20, 28)


def days_left(dispute: Dispute, now: datetime | None = None) -> int:
    """Whole days until the dispute's deadline (negative once it has passed)."""
    return math.floor((dispute.due_at - (now or utcnow())).total_seconds() / 86_400)


def remind_admins(session: Session, now: datetime | None = None) -> int:
    """Email the admins about each open dispute that reached day 20 or day 28 of its clock
    (counted from when it was opened), once per day; a dispute past both days when the
    worker first sees it gets one email, for the later day. Returns the emails queued."""
    now = now or utcnow()
    sent = 0
    candidates = session.scalars(
        select(Dispute)
        .where(
            Dispute.status == D.OPEN,
            Dispute.clock_reminders_sent < len(REMINDER_DAYS),
            Dispute.opened_at <= now - timedelta(days=REMINDER_DAYS[0]),
        )
        .order_by(Dispute.due_at, Dispute.id)
    ).all()
    for dispute in candidates:
        reached = sum(1 for day in REMINDER_DAYS if dispute.opened_at + timedelta(days=day) <= now)
        if reached <= dispute.clock_reminders_sent:
            continue
        dispute.clock_reminders_sent = reached
        day = REMINDER_DAYS[reached - 1]
        left = max(days_left(dispute, now), 0)
        audit.record(session, SYSTEM, "dispute", dispute.id, "clock_reminder", note=f"day {day}")
        outbox.email_admins(
            session,
            "dispute_clock",
            Said(
                N_("Dispute #%(id)s: day %(day)s, decide by %(due)s"),
                id=dispute.id,
                day=day,
                due=dispute.due_at,
            ),
            Said(
                N_(
                    "The dispute on complaint #%(complaint)s was opened on %(opened)s and must be "
                    "decided by %(due)s (days left: %(left)s). Decide it in the dispute queue."
                ),
                complaint=dispute.complaint_id,
                opened=dispute.opened_at,
                due=dispute.due_at,
                left=left,
            ),
        )
        sent += 1
    session.flush()
    return sent


def open_dispute(
    session: Session,
    settings: Settings,
    complaint: Complaint,
    reason: str,
    statement: str,
    documents: Sequence[Document] = (),
) -> Dispute:
    """The debtor disputes the complaint: listing is frozen until an admin decides.
    A complaint whose dispute was rejected cannot be disputed again."""
    errors: dict[str, str] = {}
    try:
        why = DisputeReason(reason)
    except ValueError:
        errors["reason"] = "choose one of: " + ", ".join(r.value for r in DisputeReason)
    statement = (statement or "").strip()
    if not 10 <= len(statement) <= 5000:
        errors["statement"] = N_("explain the dispute (10 to 5000 characters)")
    if len(documents) > MAX_DOCUMENTS:
        errors["documents"] = f"at most {MAX_DOCUMENTS} documents"
    errors |= evidence.problems(
        "documents",
        ((d.filename, d.content) for d in documents[:MAX_DOCUMENTS]),
        settings.upload_max_bytes,
    )
    if errors:
        raise ValidationFailed(errors)
    if any(d.status is D.REJECTED for d in complaint.disputes):
        raise InvalidTransition("complaint", "decided after a dispute", "disputed again")
    now = utcnow()
    dispute = Dispute(
        reason=why,
        statement=statement,
        opened_at=now,
        due_at=now + timedelta(days=settings.dispute_deadline_days),
    )
    life.transition(
        session,
        complaint,
        ComplaintStatus.DISPUTED,
        DEBTOR,
        f"{language.words(why)}: {statement[:200]}",
    )
    complaint.disputes.append(dispute)
    session.flush()
    _store_documents(session, settings, dispute, documents)
    audit.record(session, DEBTOR, "dispute", dispute.id, "opened", to_state="open", note=why.value)
    code = language.of_member(complaint.member)
    outbox.queue_email(
        session,
        "dispute_opened",
        complaint.member.contact_email,
        language.translate(
            code,
            "%(business)s disputes complaint #%(id)s",
            business=complaint.business.name,
            id=complaint.id,
        ),
        language.translate(
            code,
            "The debtor disputes complaint #%(id)s (%(reason)s): %(statement)s",
            id=complaint.id,
            reason=language.words(why, code),
            statement=statement,
        )
        + "\n\n"
        + language.translate(
            code,
            "The complaint is not listed until the registry decides, by %(day)s.",
            day=language.day(dispute.due_at, code),
        ),
    )
    outbox.email_admins(
        session,
        "dispute_opened",
        lambda code: language.translate(
            code,
            "New dispute #%(id)s on complaint #%(complaint)s",
            id=dispute.id,
            complaint=complaint.id,
        ),
        lambda code: language.translate(
            code,
            "Decide it by %(due)s in the dispute queue.",
            due=language.day(dispute.due_at, code),
        ),
    )
    return dispute


def _store_documents(
    session: Session, settings: Settings, dispute: Dispute, documents: Sequence[Document]
) -> None:
    written: list[Path] = []
    try:
        for i, doc in enumerate(documents):
            dispute.evidence.append(
                evidence.attach(
                    session,
                    settings,
                    doc.filename,
                    doc.content,
                    f"documents.{i}",
                    "debtor",
                    written,
                )
            )
        session.flush()
    except Exception:
        evidence.remove(written)
        raise


#: What each decision does to the dispute and its complaint.
OUTCOMES = {
    "upheld": (D.UPHELD, ComplaintStatus.REMOVED),
    "rejected": (D.REJECTED, ComplaintStatus.LISTED),
    "corrected": (D.CORRECTED, ComplaintStatus.LISTED),  # settled when nothing stands
}
#: The note a decision leaves in the complaint's history (a corrected one names its figures).
_DECIDED = {
    "upheld": N_("dispute upheld: %(note)s"),
    "rejected": N_("dispute rejected: %(note)s"),
    "corrected": N_("dispute corrected: %(note)s"),
}


def decide(
    session: Session,
    dispute: Dispute,
    outcome: str,
    note: str,
    actor: Actor,
    amount_outstanding_paise: int | None = None,
    settings: Settings | None = None,
) -> None:
    """An admin decides a dispute, with reasons both sides see: upheld (the complaint is
    removed), rejected (listed as claimed) or corrected (listed at the amount that stands,
    `amount_outstanding_paise`, less than claimed; settled when it is 0). Raises
    `ValidationFailed` or `InvalidTransition`, having changed nothing, when the decision
    is incomplete, the dispute is decided or closed already, or its complaint cannot take
    the outcome."""
    note = (note or "").strip()
    complaint = dispute.complaint
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = N_("choose upheld, rejected or corrected")
    if len(note) < 10:
        errors["note"] = N_("give the reasons for the decision (at least 10 characters)")
    claimed = complaint.amount_outstanding_paise
    if outcome == "corrected":
        if amount_outstanding_paise is None:
            errors["amount_outstanding_paise"] = N_("say what amount stands")
        elif not 0 <= amount_outstanding_paise < claimed:
            errors["amount_outstanding_paise"] = (
                f"a correction leaves less than the {rupees(claimed)} claimed (0 settles it)"
            )
    elif amount_outstanding_paise is not None:
        errors["amount_outstanding_paise"] = N_("only a corrected decision changes the amount")
    if errors:
        raise ValidationFailed(errors)
    target, after = OUTCOMES[outcome]
    if outcome == "corrected" and amount_outstanding_paise == 0:
        after = ComplaintStatus.SETTLED
    if not LIFE.allows(dispute.status, target):
        raise InvalidTransition("dispute", dispute.status.value, target.value)
    if not life.LIFE.allows(complaint.status, after):
        raise InvalidTransition("complaint", complaint.status.value, after.value)
    life.transition_dispute(session, dispute, target, actor, note, action="decided")
    dispute.decided_at = utcnow()
    dispute.decided_by_user_id = actor.user_id
    dispute.decision_note = note
    history = Said(_DECIDED[outcome], note=note)
    stands: int | None = None
    if outcome == "corrected":
        assert amount_outstanding_paise is not None
        dispute.corrected_from_paise, dispute.corrected_to_paise = claimed, amount_outstanding_paise
        complaint.amount_outstanding_paise = stands = amount_outstanding_paise
        history = Said(
            N_("dispute corrected (%(claimed)s claimed, %(stands)s stands): %(note)s"),
            claimed=rupees(claimed),
            stands=rupees(amount_outstanding_paise),
            note=note,
        )
    life.transition(session, complaint, after, actor, history)

    def verdict(code: str) -> str:
        if outcome == "upheld":
            return language.translate(code, "The registry upheld: the complaint is removed.")
        if outcome == "rejected":
            return language.translate(code, "The registry rejected: the complaint is listed.")
        figures = {"claimed": rupees(claimed), "stands": rupees(stands or 0)}
        if after is ComplaintStatus.SETTLED:
            return language.translate(
                code,
                "The registry corrected the amount: %(claimed)s claimed, %(stands)s stands "
                "(nothing stands: the complaint is settled).",
                **figures,
            )
        return language.translate(
            code,
            "The registry corrected the amount: %(claimed)s claimed, %(stands)s stands; the "
            "complaint is listed at that amount.",
            **figures,
        )

    def reasons(code: str) -> str:
        return language.translate(code, "Reasons: %(note)s", note=note)

    code = language.of_member(complaint.member)
    outbox.queue_email(
        session,
        "dispute_decided",
        complaint.member.contact_email,
        language.translate(
            code,
            "Dispute on complaint #%(id)s %(outcome)s",
            id=complaint.id,
            outcome=language.words(outcome, code),
        ),
        f"{verdict(code)}\n\n{reasons(code)}",
    )

    def to_debtor(code: str) -> recipients.Version:
        subject = language.translate(
            code,
            "Your dispute with %(member)s was %(outcome)s",
            member=complaint.member.name,
            outcome=language.words(outcome, code),
        )
        shows = language.translate(code, "The notice link you received shows the decision.")
        return recipients.Version(
            code,
            subject,
            f"{verdict(code)}\n\n{reasons(code)}\n\n{shows}",
            subject,
            open_notice_link(settings, complaint, code),
        )

    recipients.tell_debtor(session, complaint, "dispute_decided", recipients.in_both(to_debtor))


def queue_query(status: DisputeStatus = D.OPEN) -> Select[Dispute]:
    """Disputes in a status, fewest days left first (the order admins work them)."""
    return select(Dispute).where(Dispute.status == status).order_by(Dispute.due_at, Dispute.id)


def queue(session: Session, status: DisputeStatus = D.OPEN) -> Sequence[Dispute]:
    """Disputes in a status, fewest days left first (the order admins work them)."""
    return session.scalars(queue_query(status)).all()


def flag_overdue(session: Session, now: datetime | None = None) -> int:
    """Email the admins once about each open dispute past its deadline; returns how many."""
    now = now or utcnow()
    overdue = session.scalars(
        select(Dispute)
        .where(
            Dispute.status == D.OPEN, Dispute.due_at <= now, Dispute.overdue_notified_at.is_(None)
        )
        .order_by(Dispute.due_at)
    ).all()
    for dispute in overdue:
        dispute.overdue_notified_at = now
        audit.record(session, SYSTEM, "dispute", dispute.id, "overdue", note="deadline passed")
        outbox.email_admins(
            session,
            "dispute_overdue",
            Said(N_("Dispute #%(id)s is past its deadline"), id=dispute.id),
            Said(
                N_(
                    "The dispute on complaint #%(complaint)s was due on %(due)s. Decide it in the "
                    "dispute queue."
                ),
                complaint=dispute.complaint_id,
                due=dispute.due_at,
            ),
        )
    session.flush()
    return len(overdue)
