"""The dispute clock: admins see disputes by days left, are emailed on day 20 and day 28
(once each), and an overdue dispute is flagged to the admins and to the debtor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry import language
from registry.actors import Actor
from registry.complaints import disputes, filing
from registry.models import AuditEntry, OutboxMessage, utcnow
from tests.conftest import filing_request


@pytest.fixture
def disputed(db, settings, factory):
    factory.admin()
    member = Actor.of(factory.member_user(name="Marwar Steel"))
    filed = filing.file_complaint(db, settings, member, filing_request())
    dispute = disputes.open_dispute(
        db, settings, filed.complaint, "already_paid", "Paid by NEFT on 3 March, UTR 1234.", []
    )
    return filed, dispute


def clock_mails(db):
    return db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "dispute_clock")
        .order_by(OutboxMessage.id)
    ).all()


def test_admins_are_reminded_on_day_20_and_day_28_once_each(db, disputed):
    _filed, dispute = disputed
    opened = dispute.opened_at
    assert disputes.remind_admins(db, opened + timedelta(days=19, hours=23)) == 0
    assert disputes.remind_admins(db, opened + timedelta(days=20, hours=1)) == 1
    assert disputes.remind_admins(db, opened + timedelta(days=21)) == 0  # another round
    assert disputes.remind_admins(db, opened + timedelta(days=28, hours=1)) == 1
    assert disputes.remind_admins(db, opened + timedelta(days=29)) == 0
    subjects = [mail.subject for mail in clock_mails(db)]
    due = language.day(dispute.due_at)  # 4 Dec 2026
    assert subjects == [
        f"Dispute #{dispute.id}: day 20, decide by {due}",
        f"Dispute #{dispute.id}: day 28, decide by {due}",
    ]
    assert "(days left: 9)" in clock_mails(db)[0].body
    notes = db.scalars(
        select(AuditEntry.note).where(
            AuditEntry.action == "clock_reminder", AuditEntry.entity_id == str(dispute.id)
        )
    ).all()
    assert sorted(notes) == ["day 20", "day 28"]


def test_a_worker_that_was_away_sends_one_reminder_not_two(db, disputed):
    _filed, dispute = disputed
    assert disputes.remind_admins(db, dispute.opened_at + timedelta(days=29)) == 1
    assert "day 28" in clock_mails(db)[0].subject
    assert disputes.remind_admins(db, dispute.opened_at + timedelta(days=29)) == 0


def test_a_decided_dispute_is_not_reminded(db, settings, disputed, factory):
    _filed, dispute = disputed
    disputes.decide(db, dispute, "rejected", "No proof of payment.", Actor.of(factory.admin()))
    assert disputes.remind_admins(db, dispute.opened_at + timedelta(days=25)) == 0


def test_days_left_counts_down_and_goes_negative(db, disputed):
    _filed, dispute = disputed
    assert disputes.days_left(dispute, dispute.opened_at + timedelta(seconds=1)) == 29
    assert disputes.days_left(dispute, dispute.opened_at + timedelta(days=31)) == -1


def test_the_admin_queue_shows_days_left_and_overdue(client, auth, db, settings, factory, disputed):
    _filed, late = disputed
    member = Actor.of(factory.member_user(name="Kaveri Cotton"))
    other = filing.file_complaint(db, settings, member, filing_request())
    fresh = disputes.open_dispute(
        db, settings, other.complaint, "wrong_amount", "We owe less than half of this.", []
    )
    late.opened_at -= timedelta(days=31)
    late.due_at -= timedelta(days=31)
    fresh.opened_at -= timedelta(days=5)
    fresh.due_at -= timedelta(days=5)
    db.flush()
    auth.login(factory.admin().email)
    page = client.get("/admin/disputes").get_data(as_text=True)
    assert "Days left (of 30)" in page
    assert page.index(f"#{late.id}<") < page.index(f"#{fresh.id}<")  # fewest days left first
    assert '<td class="num days-left"><strong class="error">overdue</strong>' in page
    assert '<td class="num days-left">24</td>' in page


def test_the_debtor_sees_an_overdue_dispute_flagged(client, db, disputed):
    filed, dispute = disputed
    page = client.get(f"/notice/{filed.notice_token}").get_data(as_text=True)
    assert 'id="dispute-overdue"' not in page and "The registry decides by" in page
    dispute.due_at = utcnow() - timedelta(days=1)
    db.flush()
    page = client.get(f"/notice/{filed.notice_token}").get_data(as_text=True)
    assert 'id="dispute-overdue"' in page
    page = client.get(f"/notice/{filed.notice_token}?lang=hi").get_data(as_text=True)
    assert "समय-सीमा पार: रजिस्ट्री को आपके विवाद पर" in page
