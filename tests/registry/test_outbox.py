"""Emails are queued with the change, sent by the worker, retried, never lost."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from registry import outbox, worker
from registry.complaints import disputes
from registry.mailer import FileMailer, SmtpMailer, mailer_from_url
from registry.models import (
    Business,
    Complaint,
    ComplaintStatus,
    Dispute,
    DisputeReason,
    OutboxMessage,
    utcnow,
)


class FlakyMailer:
    def __init__(self, failures):
        self.failures = failures
        self.sent = []

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("smtp down")
        self.sent.append(message.to_address)


def test_file_mailer_writes_one_eml_per_message(db, tmp_path):
    outbox.queue_email(db, "test", "a@example.com", "Hello ₹", "Body with ₹ 1,000")
    report = outbox.deliver_due(db, FileMailer(tmp_path / "out"))
    assert (report.sent, report.failed) == (1, 0)
    files = list((tmp_path / "out").glob("*.eml"))
    assert len(files) == 1
    email = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert email["To"] == "a@example.com" and "Hello" in email["Subject"]
    assert "₹ 1,000" in email.get_content()
    assert db.scalar(select(OutboxMessage.sent_at)) is not None


def test_a_failed_send_is_kept_and_retried_later(db):
    message = outbox.queue_email(db, "test", "b@example.com", "Hi", "Body")
    mailer = FlakyMailer(failures=1)
    first = outbox.deliver_due(db, mailer)
    db.refresh(message)
    assert (first.sent, first.failed) == (0, 1)
    assert message.sent_at is None and message.attempts == 1
    assert "smtp down" in message.last_error
    assert message.next_attempt_at > utcnow()
    assert outbox.deliver_due(db, mailer).sent == 0  # not due yet
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.flush()
    assert outbox.deliver_due(db, mailer).sent == 1
    assert mailer.sent == ["b@example.com"]
    assert outbox.deliver_due(db, mailer).sent == 0  # sent once only


def test_mail_url_choices(tmp_path):
    assert isinstance(mailer_from_url(f"file://{tmp_path}"), FileMailer)
    smtp = mailer_from_url("smtp://user:p%40ss@mail.example:2525")
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port, smtp.user, smtp.password, smtp.tls) == (
        "mail.example",
        2525,
        "user",
        "p@ss",
        False,
    )
    with pytest.raises(ValueError, match="MAIL_URL"):
        mailer_from_url("http://example.com")


def test_overdue_disputes_are_flagged_once_and_admins_emailed(db, factory):
    admin = factory.admin()
    user = factory.member_user()
    business = Business(name="Late Co")
    db.add(business)
    db.flush()
    complaint = Complaint(
        member_id=user.member_id, business_id=business.id, status=ComplaintStatus.DISPUTED
    )
    db.add(complaint)
    db.flush()
    dispute = Dispute(
        complaint_id=complaint.id,
        reason=DisputeReason.OTHER,
        statement="x",
        due_at=utcnow() - timedelta(hours=1),
    )
    fresh = Dispute(
        complaint_id=complaint.id,
        reason=DisputeReason.OTHER,
        statement="y",
        due_at=utcnow() + timedelta(days=2),
    )
    db.add_all([dispute, fresh])
    db.flush()
    assert disputes.is_overdue(dispute) and not disputes.is_overdue(fresh)
    assert disputes.flag_overdue(db) == 1
    assert disputes.flag_overdue(db) == 0
    mails = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dispute_overdue")).all()
    assert [m.to_address for m in mails] == [admin.email]


def test_worker_round_lists_due_complaints_and_sends_mail(
    session_factory, db, factory, tmp_path, settings
):
    user = factory.member_user()
    business = Business(name="Due Co")
    db.add(business)
    db.flush()
    complaint = Complaint(
        member_id=user.member_id,
        business_id=business.id,
        status=ComplaintStatus.IN_NOTICE,
        notice_ends_at=utcnow() - timedelta(seconds=5),
    )
    db.add(complaint)
    db.commit()
    result = worker.run_once(session_factory, FileMailer(tmp_path / "mail"), settings)
    assert result.listed == 1
    assert result.emails_sent >= 1  # the verification email of the member
    db.refresh(complaint)
    assert complaint.status is ComplaintStatus.LISTED
