"""Retention: a year after a complaint is withdrawn or removed its personal data is erased
(once, audited, leaving a tombstone); nothing else is touched and no audit row goes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry import worker
from registry.actors import Actor
from registry.complaints import disputes, filing
from registry.mailer import FileMailer
from registry.models import AuditEntry, ComplaintStatus, EvidenceFile, utcnow
from registry.rights import retention
from tests.conftest import PDF, filing_request


@pytest.fixture
def closed(db, settings, factory):
    factory.admin()
    member = Actor.of(factory.member_user(name="Marwar Steel"))
    filed = filing.file_complaint(db, settings, member, filing_request())
    complaint = filed.complaint
    complaint.note = "Proprietor Ramesh Kumar, mobile 98xxxxxx10"
    disputes.open_dispute(
        db,
        settings,
        complaint,
        "already_paid",
        "Paid by NEFT, UTR 1234.",
        [disputes.Document("neft.pdf", PDF)],
    )
    complaint.status = ComplaintStatus.WITHDRAWN
    complaint.closed_at = utcnow() - timedelta(days=366)
    db.flush()
    return complaint


def files_of(db, complaint):
    return db.scalar(
        select(func.count(EvidenceFile.id)).where(
            (EvidenceFile.complaint_id == complaint.id)
            | EvidenceFile.dispute_id.in_([d.id for d in complaint.disputes])
        )
    )


def test_personal_data_is_erased_a_year_after_withdrawal(db, settings, closed):
    assert files_of(db, closed) == 2
    audit_rows = db.scalar(select(func.count(AuditEntry.id)))
    assert retention.erase_closed(db, settings) == 1
    assert closed.debtor_email is None and closed.note is None and closed.erased_at is not None
    assert closed.disputes[0].statement == retention.ERASED
    assert files_of(db, closed) == 0
    # the tombstone: who, against whom, what state, what amount, when
    assert closed.status is ComplaintStatus.WITHDRAWN and closed.member_id and closed.invoices
    assert db.scalar(select(func.count(AuditEntry.id))) == audit_rows + 1  # none deleted
    erased = db.scalars(select(AuditEntry).where(AuditEntry.action == "erased")).one()
    assert erased.entity_id == str(closed.id) and "2 file(s)" in (erased.note or "")
    assert retention.erase_closed(db, settings) == 0  # once


@pytest.mark.parametrize(
    ("status", "days", "erased"),
    [
        (ComplaintStatus.WITHDRAWN, 364, False),
        (ComplaintStatus.REMOVED, 366, True),
        (ComplaintStatus.SETTLED, 3000, False),
        (ComplaintStatus.LISTED, 3000, False),
    ],
)
def test_only_withdrawn_and_removed_after_the_period(db, settings, closed, status, days, erased):
    closed.status = status
    closed.closed_at = utcnow() - timedelta(days=days)
    db.flush()
    assert retention.erase_closed(db, settings) == int(erased)
    assert (closed.debtor_email is None) is erased


def test_the_period_is_a_setting(db, settings, closed):
    longer = settings.__class__(**{**vars(settings), "erase_closed_after_days": 400})
    assert retention.erase_closed(db, longer) == 0


def test_the_worker_round_erases(session_factory, db, settings, closed, tmp_path):
    db.commit()
    result = worker.run_once(session_factory, FileMailer(tmp_path / "mail"), settings, sweep=False)
    assert result.complaints_erased == 1
    db.refresh(closed)
    assert closed.erased_at is not None


def test_the_mobile_number_the_reporter_gave_is_erased_too(db, settings, closed):
    """The debtor's mobile came after retention was written: it must go with the email."""
    closed.debtor_mobile = "+919812345610"
    db.flush()
    assert retention.erase_closed(db, settings) == 1
    assert closed.debtor_mobile is None and closed.debtor_email is None


def test_messages_are_forgotten_once_the_retention_period_is_over(db, settings):
    from registry import outbox
    from registry.models import OutboxMessage

    old = utcnow() - timedelta(days=settings.erase_closed_after_days + 1)
    sent_long_ago = outbox.queue_email(db, "notice", "debtor@old.example", "Notice", "You owe")
    sent_long_ago.sent_at = old
    failed_long_ago = outbox.queue_text(db, "sms", "notice", "+919812345610", "You owe")
    failed_long_ago.failed_at = old
    recent = outbox.queue_email(db, "notice", "debtor@new.example", "Notice", "You owe")
    recent.sent_at = utcnow() - timedelta(days=3)
    waiting = outbox.queue_email(db, "notice", "debtor@queued.example", "Notice", "You owe")
    waiting.created_at = old  # never sent yet: kept, whatever its age
    db.flush()
    assert retention.forget_messages(db, settings) == 2
    left = set(db.scalars(select(OutboxMessage.to_address)))
    assert left == {"debtor@new.example", "debtor@queued.example"}


def test_refused_applicants_and_rejected_claimants_documents_go_after_the_period(
    db, settings, factory
):
    from registry.claims import documents as claim_documents
    from registry.directory import businesses
    from registry.identifiers import gstin_for
    from registry.members import accounts
    from registry.members.documents import GST_CERTIFICATE, Proof
    from registry.models import MemberDocument
    from tests.conftest import PASSWORD

    admin = Actor.of(factory.admin())
    long_ago = utcnow() - timedelta(days=settings.erase_closed_after_days + 1)

    def applicant(pan: str, email: str):
        member = accounts.sign_up(
            db,
            settings,
            accounts.Application("Kosi Jute Mills", gstin_for("10", pan), email, PASSWORD),
            [Proof(GST_CERTIFICATE, "reg06.pdf", PDF)],
        )
        assert member is not None
        return member

    refused_long_ago = applicant("AAFCK1111J", "a@kosi.example")
    accounts.reject(db, refused_long_ago, admin, "the certificate is of another business")
    refused_long_ago.created_at = long_ago
    refused_lately = applicant("AAFCK2222J", "b@kosi.example")
    accounts.reject(db, refused_lately, admin, "the certificate is of another business")
    waiting = applicant("AAFCK3333J", "c@kosi.example")
    waiting.created_at = long_ago  # still pending: kept

    business = businesses.create(db, admin, "Kosi Jute Mills", city="Katihar")
    claim = claim_documents.submit(db, settings, business, "x@kosi.example", "reg06.pdf", PDF)
    claim.status, claim.decided_at = "rejected", long_ago
    db.flush()

    assert retention.forget_refused_documents(db, settings) == 2
    db.expire_all()
    left = set(db.scalars(select(MemberDocument.member_id)))
    assert left == {refused_lately.id, waiting.id}
    assert claim.document_stored is None and claim.document_name is None
