"""Retention, applied by the worker (PRODUCT.md "Rights"):

- settled complaints leave reports five years after settlement (the report's own query,
  `registry.models.complaints.settled_shown_since`, so there is nothing to delete);
- withdrawn and removed complaints' personal data is erased a year after they closed
  (`Settings.erase_closed_after_days`): the debtor contact the reporter gave, the notes,
  the dispute statements and every evidence file (its row now; the file itself is swept
  by `registry.uploads.orphans` once no row names it). What stays is a minimal tombstone, the
  complaint's id, parties, state, amounts and dates, so the audit chain still makes sense,
  and the erasure is itself an audit row;
- the messages the outbox delivered (or gave up on) go after the same period
  (`forget_messages`): their words name debtors, amounts and reporters, and their
  addresses are people's emails and mobiles; a message never sent yet is kept whatever
  its age;
- the documents sent with a refused membership application or a rejected claim go after
  the same period (`forget_refused_documents`): the rows now, the files at the next orphan
  sweep;
- logs and the audit trail are never deleted here: they are kept at least a year.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from registry import audit
from registry.actors import SYSTEM
from registry.models import (
    BusinessClaim,
    Complaint,
    ComplaintStatus,
    EvidenceFile,
    Member,
    MemberDocument,
    MemberStatus,
    OutboxMessage,
    utcnow,
)
from registry.settings import Settings

ERASED = "[erased under the retention policy]"
CLOSED_FOR_GOOD = (ComplaintStatus.WITHDRAWN, ComplaintStatus.REMOVED)


def erase_closed(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Erase the personal data of complaints withdrawn or removed long enough ago;
    returns how many were erased (each once)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.erase_closed_after_days)
    due = session.scalars(
        select(Complaint)
        .where(
            Complaint.status.in_(CLOSED_FOR_GOOD),
            Complaint.erased_at.is_(None),
            Complaint.closed_at.is_not(None),
            Complaint.closed_at <= cutoff,
        )
        .options(selectinload(Complaint.evidence), selectinload(Complaint.disputes))
        .order_by(Complaint.id)
    ).all()
    for complaint in due:
        files = list(complaint.evidence)
        complaint.debtor_email = None
        complaint.debtor_mobile = None
        complaint.note = None
        complaint.notice_token_hash = None
        complaint.notice_nonce = None
        for dispute in complaint.disputes:
            dispute.statement = ERASED
            if dispute.decision_note is not None:
                dispute.decision_note = ERASED
            files += session.scalars(
                select(EvidenceFile).where(EvidenceFile.dispute_id == dispute.id)
            ).all()
        for file in {file.id: file for file in files}.values():
            session.delete(file)
        complaint.erased_at = now
        audit.record(
            session,
            SYSTEM,
            "complaint",
            complaint.id,
            "erased",
            note=f"personal data erased {settings.erase_closed_after_days} days after closing "
            f"({len(files)} file(s))",
        )
    session.flush()
    return len(due)


def forget_messages(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Delete the outbox rows delivered, or given up on, longer ago than the retention
    period; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=settings.erase_closed_after_days)
    result = session.execute(
        delete(OutboxMessage)
        .where(or_(OutboxMessage.sent_at <= cutoff, OutboxMessage.failed_at <= cutoff))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def forget_refused_documents(
    session: Session, settings: Settings, now: datetime | None = None
) -> int:
    """Delete what refused applicants and rejected claimants sent, once the retention
    period has passed since they applied (an application) or were answered (a claim);
    returns how many documents."""
    cutoff = (now or utcnow()) - timedelta(days=settings.erase_closed_after_days)
    refused = select(Member.id).where(
        Member.status == MemberStatus.REJECTED, Member.created_at <= cutoff
    )
    documents = session.execute(
        delete(MemberDocument)
        .where(MemberDocument.member_id.in_(refused))
        .execution_options(synchronize_session=False)
    )
    claims = session.scalars(
        select(BusinessClaim).where(
            BusinessClaim.status == "rejected",
            BusinessClaim.decided_at <= cutoff,
            BusinessClaim.document_stored.is_not(None),
        )
    ).all()
    for claim in claims:
        claim.document_stored = None
        claim.document_name = None
        claim.note = None
    session.flush()
    return int(getattr(documents, "rowcount", 0) or 0) + len(claims)
