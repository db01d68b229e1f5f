"""The debtor's hearing: disputes, decisions with reasons, promises, reminders."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registry import audit
from registry.actors import Actor
from registry.complaints import disputes, filing, life
from registry.complaints.notices import reminders
from registry.directory import search
from registry.errors import InvalidTransition, ValidationFailed
from registry.members import watches
from registry.models import AuditEntry, ComplaintStatus, DisputeStatus, OutboxMessage, utcnow
from registry.reports import credit_report
from tests.conftest import PDF, filing_request


@pytest.fixture
def filed(db, settings, factory):
    factory.admin()
    member = Actor.of(factory.member_user(name="Marwar Steel"))
    return filing.file_complaint(db, settings, member, filing_request()).complaint


def mails(db, kind):
    return db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_a_dispute_freezes_listing_and_tells_member_and_admins(db, settings, filed):
    dispute = disputes.open_dispute(
        db,
        settings,
        filed,
        "already_paid",
        "Paid by NEFT on 3 March, UTR 1234.",
        [disputes.Document("neft.pdf", PDF)],
    )
    assert filed.status is ComplaintStatus.DISPUTED
    assert dispute.due_at - dispute.opened_at == timedelta(days=settings.dispute_deadline_days)
    assert dispute.evidence[0].uploaded_by == "debtor"
    assert {m.kind for m in db.scalars(select(OutboxMessage))} >= {"dispute_opened"}
    assert len(mails(db, "dispute_opened")) == 2  # the member and the one admin
    filed.notice_ends_at = utcnow() - timedelta(days=1)
    assert life.list_notice_period_over(db) == 0
    assert filed.status is ComplaintStatus.DISPUTED


@pytest.mark.parametrize(
    ("reason", "statement", "field"),
    [("bored", "A long enough statement", "reason"), ("other", "short", "statement")],
)
def test_bad_disputes_are_refused(db, settings, filed, reason, statement, field):
    with pytest.raises(ValidationFailed) as caught:
        disputes.open_dispute(db, settings, filed, reason, statement)
    assert field in caught.value.fields
    assert filed.status is ComplaintStatus.IN_NOTICE and filed.disputes == []


def test_a_dispute_document_must_really_be_a_document(db, settings, filed):
    with pytest.raises(ValidationFailed) as caught:
        disputes.open_dispute(
            db,
            settings,
            filed,
            "other",
            "See the attached script.",
            [disputes.Document("proof.pdf", b"#!/bin/sh\nrm -rf /")],
        )
    assert "not a PDF" in caught.value.fields["documents.0"]
    assert filed.status is ComplaintStatus.IN_NOTICE


def test_rejected_dispute_lists_the_complaint_with_reasons_both_sides_see(
    db, settings, filed, factory
):
    admin = Actor.of(factory.admin())
    dispute = disputes.open_dispute(
        db, settings, filed, "not_delivered", "We never received the goods."
    )
    disputes.decide(db, dispute, "rejected", "The delivery challan is signed by the buyer.", admin)
    assert (dispute.status, filed.status) == (DisputeStatus.REJECTED, ComplaintStatus.LISTED)
    decided = mails(db, "dispute_decided")
    assert {m.to_address for m in decided} == {filed.member.contact_email, filed.debtor_email}
    assert all("delivery challan" in m.body for m in decided)
    with pytest.raises(InvalidTransition):
        disputes.open_dispute(db, settings, filed, "other", "We still think this is wrong.")


def test_upheld_dispute_removes_the_complaint(db, settings, filed, factory):
    dispute = disputes.open_dispute(
        db, settings, filed, "already_paid", "Paid in full, see bank statement."
    )
    disputes.decide(
        db, dispute, "upheld", "Bank statement shows full payment.", Actor.of(factory.admin())
    )
    assert filed.status is ComplaintStatus.REMOVED
    with pytest.raises(InvalidTransition):
        disputes.decide(
            db, dispute, "rejected", "Changed my mind about it.", Actor.of(factory.admin())
        )


@pytest.mark.parametrize(
    ("outcome", "note", "field"),
    [("maybe", "Long enough reasons.", "outcome"), ("upheld", "ok", "note")],
)
def test_a_decision_needs_an_outcome_and_reasons(
    db, settings, filed, factory, outcome, note, field
):
    dispute = disputes.open_dispute(db, settings, filed, "other", "Something is wrong here.")
    with pytest.raises(ValidationFailed) as caught:
        disputes.decide(db, dispute, outcome, note, Actor.of(factory.admin()))
    assert field in caught.value.fields
    assert dispute.status is DisputeStatus.OPEN and filed.status is ComplaintStatus.DISPUTED


def test_queue_is_oldest_first(db, settings, factory):
    member = Actor.of(factory.member_user())
    first = filing.file_complaint(db, settings, member, filing_request()).complaint
    second = filing.file_complaint(
        db,
        settings,
        member,
        filing_request(
            invoices=[
                filing.InvoiceIn(
                    "X-2",
                    date.today() - timedelta(days=60),
                    date.today() - timedelta(days=30),
                    300000_00,
                )
            ]
        ),
    ).complaint
    d1 = disputes.open_dispute(db, settings, first, "other", "First dispute statement.")
    d2 = disputes.open_dispute(db, settings, second, "other", "Second dispute statement.")
    d1.opened_at = utcnow() - timedelta(days=3)
    db.flush()
    assert [d.id for d in disputes.queue(db)] == [d1.id, d2.id]


def test_debtor_promises_to_pay(db, filed):
    life.promise_payment(db, filed, date.today() + timedelta(days=10), date.today())
    assert filed.promised_payment_date == date.today() + timedelta(days=10)
    assert mails(db, "payment_promised")[0].to_address == filed.member.contact_email
    with pytest.raises(ValidationFailed):
        life.promise_payment(db, filed, date.today() - timedelta(days=1), date.today())


def test_two_reminders_are_sent_once_each(db, settings, filed):
    start = filed.notice_sent_at
    assert reminders.send_due_reminders(db, settings, start + timedelta(days=1)) == 0
    assert reminders.send_due_reminders(db, settings, start + timedelta(days=8)) == 1
    assert reminders.send_due_reminders(db, settings, start + timedelta(days=9)) == 0
    assert reminders.send_due_reminders(db, settings, start + timedelta(days=13, hours=1)) == 1
    assert reminders.send_due_reminders(db, settings, start + timedelta(days=14)) == 0
    sent = mails(db, "notice_reminder")
    assert [m.subject.split(":")[0] for m in sent] == ["Reminder 1", "Reminder 2"]
    notice = mails(db, "notice")[0]
    link = next(line for line in notice.body.splitlines() if "/notice/" in line).strip()
    assert all(link in m.body for m in sent)


def test_member_settles_and_withdraws(db, settings, filed, factory):
    member = Actor(
        kind="user", label="x", user_id=filed.filed_by_user_id, member_id=filed.member_id
    )
    life.settle(db, filed, member, "Paid by cheque")
    assert filed.status is ComplaintStatus.SETTLED and filed.closed_at is not None
    with pytest.raises(InvalidTransition):
        life.withdraw(db, filed, member)


def the_member(complaint):
    return Actor(
        kind="user", label="x", user_id=complaint.filed_by_user_id, member_id=complaint.member_id
    )


def test_the_debtor_is_told_in_writing_when_the_member_settles(db, settings, filed):
    life.list_notice_period_over(db, filed.notice_ends_at + timedelta(seconds=1))
    life.settle(db, filed, the_member(filed), "Paid by cheque")
    (mail,) = mails(db, "complaint_settled")
    assert mail.to_address == filed.debtor_email
    assert mail.subject == (
        f"Marwar Steel marked its complaint #{filed.id} settled"
        f" / Marwar Steel ने अपनी शिकायत #{filed.id} निपटी हुई दर्ज की"
    )
    assert "confirmed your payment" in mail.body
    assert "आपके भुगतान की पुष्टि की" in mail.body  # and in Hindi
    assert "in your history as settled for five years" in mail.body
    assert "dispute" not in mail.body and "आपत्ति" not in mail.body
    assert "notice link you received" in mail.body and "नोटिस लिंक" in mail.body


def test_settling_in_notice_tells_the_debtor_it_stays_private(db, settings, filed):
    life.settle(db, filed, the_member(filed))
    (mail,) = mails(db, "complaint_settled")
    assert "never shown to other members" in mail.body


def test_settling_a_disputed_complaint_tells_the_debtor_its_dispute_is_closed(db, settings, filed):
    disputes.open_dispute(db, settings, filed, "already_paid", "Paid by NEFT, UTR 1234.")
    life.settle(db, filed, the_member(filed))
    (mail,) = mails(db, "complaint_settled")
    assert "Your dispute about it is closed without a decision" in mail.body


def test_a_debtor_whose_notice_link_expired_is_not_sent_to_it(db, settings, filed):
    filed.notice_expires_at = utcnow() - timedelta(days=1)
    life.settle(db, filed, the_member(filed))
    (mail,) = mails(db, "complaint_settled")
    assert "notice link" not in mail.body


def test_the_debtor_is_told_when_the_member_withdraws(db, settings, filed):
    life.withdraw(db, filed, the_member(filed))
    (mail,) = mails(db, "complaint_withdrawn")
    assert mail.to_address == filed.debtor_email
    assert mail.subject == (
        f"Marwar Steel withdrew its complaint #{filed.id}"
        f" / Marwar Steel ने अपनी शिकायत #{filed.id} वापस ली"
    )
    assert "never shown to other members" in mail.body
    assert "कभी नहीं दिखाई जाएगी" in mail.body


def test_a_refused_withdrawal_tells_the_debtor_nothing(db, settings, filed):
    life.settle(db, filed, the_member(filed))
    with pytest.raises(InvalidTransition):
        life.withdraw(db, filed, the_member(filed))
    assert mails(db, "complaint_withdrawn") == []


def test_a_complaint_disputed_in_its_notice_period_stays_private(db, settings, filed, factory):
    """The notice promises the debtor: "The complaint stays private until <date> ... after
    that date, unless you dispute it, other members can see it". Disputing used to show it
    at once, in search counts, reports and watchers' alerts."""
    watcher = Actor.of(factory.member_user())
    watches.watch(db, watcher, filed.business_id)
    dispute = disputes.open_dispute(db, settings, filed, "not_delivered", "Goods never came.")
    assert search.complaint_counts(db, [filed.business_id]) == {}
    report = credit_report.build_report(db, filed.business_id, utcnow())
    assert report["complaints"] == [] and report["score"]["value"] == 100
    assert mails(db, "watch_alert") == []
    disputes.decide(
        db, dispute, "rejected", "The challan is signed by the buyer.", Actor.of(factory.admin())
    )
    assert search.complaint_counts(db, [filed.business_id]) == {filed.business_id: (1, 0, 0)}
    report = credit_report.build_report(db, filed.business_id, utcnow())
    assert [row["status"] for row in report["complaints"]] == ["listed"]
    assert len(mails(db, "watch_alert")) == 1


def test_a_complaint_settled_in_its_notice_period_stays_private(db, settings, filed):
    """Paying within the notice period keeps the complaint off the record; it used to show
    as settled and cost the debtor 45 points (settling never lowers the score)."""
    member = Actor(
        kind="user", label="x", user_id=filed.filed_by_user_id, member_id=filed.member_id
    )
    life.settle(db, filed, member, "Paid by NEFT")
    assert search.complaint_counts(db, [filed.business_id]) == {}
    report = credit_report.build_report(db, filed.business_id, utcnow())
    assert report["complaints"] == [] and report["score"]["value"] == 100


def member_of(complaint):
    return Actor(
        kind="user",
        label="accounts@marwar.example",
        user_id=complaint.filed_by_user_id,
        member_id=complaint.member_id,
    )


def test_settling_a_disputed_complaint_closes_its_dispute(db, settings, filed):
    """A dispute whose complaint the member settled used to wait in the admins' queue (and
    be flagged overdue) for ever, with nothing left to decide."""
    dispute = disputes.open_dispute(db, settings, filed, "already_paid", "Paid by NEFT, UTR 99.")
    life.settle(db, filed, member_of(filed), "Paid after all")
    assert filed.status is ComplaintStatus.SETTLED
    assert dispute.status is DisputeStatus.CLOSED
    assert dispute.decided_at is None and dispute.decision_note is None
    assert disputes.queue(db) == []
    assert disputes.queue(db, DisputeStatus.CLOSED) == [dispute]
    assert not disputes.is_overdue(dispute, dispute.due_at + timedelta(days=1))
    assert disputes.flag_overdue(db, dispute.due_at + timedelta(days=1)) == 0
    closed = audit.history(db, "dispute", dispute.id)[-1]
    assert (closed.action, closed.from_state, closed.to_state) == ("closed", "open", "closed")
    assert (closed.actor_kind, closed.actor_user_id, closed.actor_label) == (
        "user",
        filed.filed_by_user_id,
        "accounts@marwar.example",
    )
    assert "settled the complaint" in closed.note
    settled = life.history(db, filed)[-1]
    assert (settled.from_state, settled.to_state, settled.note) == (
        "disputed",
        "settled",
        "Paid after all",
    )


def test_settling_after_a_rejected_dispute_leaves_the_decision_as_it_was(
    db, settings, filed, factory
):
    dispute = disputes.open_dispute(db, settings, filed, "not_delivered", "Goods never came.")
    disputes.decide(
        db, dispute, "rejected", "The challan is signed by the buyer.", Actor.of(factory.admin())
    )
    before = len(audit.history(db, "dispute", dispute.id))
    life.settle(db, filed, member_of(filed), "Paid at last")
    assert dispute.status is DisputeStatus.REJECTED
    assert dispute.decision_note == "The challan is signed by the buyer."
    assert len(audit.history(db, "dispute", dispute.id)) == before


def test_a_dispute_whose_complaint_was_settled_meanwhile_is_refused_whole(
    db, settings, filed, factory
):
    """Deciding it used to mark the dispute decided and audit it, then fail on the
    complaint (settled cannot become listed or removed), leaving half a decision. Now
    the settlement closed it, and a closed dispute cannot be decided."""
    dispute = disputes.open_dispute(db, settings, filed, "already_paid", "Paid by NEFT, UTR 99.")
    life.settle(db, filed, member_of(filed), "Paid after all")
    admin = Actor.of(factory.admin())
    audit_before = db.scalar(select(func.count()).select_from(AuditEntry))
    for outcome in ("upheld", "rejected"):
        with pytest.raises(InvalidTransition) as caught:
            disputes.decide(db, dispute, outcome, "Reasons for the decision.", admin)
        assert caught.value.message == f"A dispute that is closed cannot become {outcome}."
    assert dispute.status is DisputeStatus.CLOSED and dispute.decision_note is None
    assert filed.status is ComplaintStatus.SETTLED
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert mails(db, "dispute_decided") == []
