"""The debtor's mobile on a complaint: validated, enough on its own to file, and every
message to the debtor (notice, reminders, decisions) goes by SMS and WhatsApp too."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry import outbox, worker
from registry.actors import Actor
from registry.channels.segments import count_segments
from registry.complaints import disputes, filing, life
from registry.complaints.notices import links, reminders
from registry.directory import debtors
from registry.errors import ValidationFailed
from registry.models import Complaint, OutboxMessage
from tests.conftest import filing_request


@pytest.fixture
def member(factory):
    return Actor.of(factory.member_user(name="Shree Ganesh Textiles"))


def only_mobile(mobile="98765 43210", name="Mehta Kirana Stores"):
    return filing_request(debtor=debtors.DebtorIn(name=name, city="Pune", mobile=mobile))


def rows(db, channel=None):
    """The text messages (the debtor has no email in these tests)."""
    query = select(OutboxMessage).where(OutboxMessage.channel != "email").order_by(OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return db.scalars(query).all()


class _Mail:
    def send(self, message):
        assert message.to_address != "+919876543210"


def test_a_filing_with_only_a_mobile_reaches_the_sms_and_whatsapp_sinks(
    db, settings, member, tmp_path
):
    filed = filing.file_complaint(db, settings, member, only_mobile())
    assert filed.complaint.debtor_mobile == "+919876543210"
    assert filed.complaint.debtor_email is None
    assert sorted(m.channel for m in rows(db)) == ["sms", "sms", "whatsapp"]
    sinks = settings.but(
        sms_url=f"file://{tmp_path}/sms", whatsapp_url=f"file://{tmp_path}/whatsapp"
    )
    report = outbox.deliver_due(db, _Mail(), channels=worker.channels_of(sinks))
    assert report.failed == 0
    sms, hindi = [json.loads(p.read_text("utf-8")) for p in sorted((tmp_path / "sms").iterdir())]
    [chat] = [json.loads(p.read_text("utf-8")) for p in (tmp_path / "whatsapp").iterdir()]
    link = f"{settings.public_base_url}/notice/{filed.notice_token}"
    assert sms["to"] == hindi["to"] == chat["to"] == "+919876543210"
    assert sms["text"].endswith(link) and link in chat["text"]
    assert hindi["text"].endswith(f"{link}?lang=hi")
    assert count_segments(sms["text"]).count <= 2 and count_segments(hindi["text"]).count <= 2


def test_email_and_mobile_both_get_the_notice(db, settings, member):
    base = filing_request()
    request = replace(base, debtor=replace(base.debtor, mobile="+91 98765-43210"))
    filing.file_complaint(db, settings, member, request)
    emails = db.scalars(select(OutboxMessage.to_address).where(OutboxMessage.kind == "notice"))
    assert "accounts@lakshmi-paper.example" in set(emails)
    assert sorted(m.channel for m in rows(db)) == ["sms", "sms", "whatsapp"]


@pytest.mark.parametrize(
    "mobile", ["12345", "022 2345 6789", "+1 202 555 0100", "98765 4321x", "9876543210123"]
)
def test_a_bad_mobile_is_refused_on_its_field_and_nothing_is_written(db, settings, member, mobile):
    with pytest.raises(ValidationFailed) as caught:
        filing.file_complaint(db, settings, member, only_mobile(mobile))
    assert set(caught.value.fields) == {"debtor.mobile"}
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0
    assert rows(db) == []


def test_no_email_no_mobile_nothing_on_record_is_refused_on_the_email(db, settings, member):
    request = filing_request(debtor=debtors.DebtorIn(name="Nobody Reachable Traders"))
    with pytest.raises(ValidationFailed) as caught:
        filing.file_complaint(db, settings, member, request)
    assert "mobile" in caught.value.fields["debtor.email"]
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


def test_reminders_reach_a_mobile_only_debtor(db, settings, member):
    filed = filing.file_complaint(db, settings, member, only_mobile())
    before = len(rows(db, "sms"))
    assert filed.complaint.notice_sent_at is not None
    later = filed.complaint.notice_sent_at + timedelta(days=settings.notice_period_days) * 0.6
    assert reminders.send_due_reminders(db, settings, later) == 1
    sms = rows(db, "sms")
    assert len(sms) == before + 2 and sms[-1].kind == sms[-2].kind == "notice_reminder"
    assert sms[-2].body.startswith("Reminder 1") and filed.notice_token in sms[-2].body
    assert sms[-1].body.startswith("अनुस्मारक 1") and filed.notice_token in sms[-1].body


def test_a_withdrawal_tells_the_debtor_by_sms_with_its_link(db, settings, member):
    filed = filing.file_complaint(db, settings, member, only_mobile())
    life.withdraw(db, filed.complaint, member, settings=settings)
    sms = rows(db, "sms")[-1]
    chat = rows(db, "whatsapp")[-1]
    assert sms.kind == chat.kind == "complaint_withdrawn"
    assert filed.notice_token in sms.body and filed.notice_token in chat.body
    assert count_segments(sms.body).count <= 2


def test_a_dispute_decision_reaches_the_debtors_phone(db, settings, member, factory):
    filed = filing.file_complaint(db, settings, member, only_mobile())
    dispute = disputes.open_dispute(
        db, settings, filed.complaint, "already_paid", "We paid by NEFT on 3 March.", []
    )
    disputes.decide(
        db,
        dispute,
        "rejected",
        "The bank statement shows no such payment.",
        Actor.of(factory.admin()),
        settings=settings,
    )
    sms = [m for m in rows(db, "sms") if m.kind == "dispute_decided"]
    chat = [m for m in rows(db, "whatsapp") if m.kind == "dispute_decided"]
    assert len(sms) == 2 and len(chat) == 1
    assert "rejected" in sms[0].body and filed.notice_token in sms[0].body
    assert "अस्वीकृत" in sms[1].body and f"{filed.notice_token}?lang=hi" in sms[1].body


def test_each_language_has_its_own_sms_of_two_segments_and_whatsapp_speaks_both(
    db, settings, member
):
    """English and Hindi with a link do not fit two segments together (Hindi is UCS-2, 67
    characters a segment), so the debtor gets an SMS in each: the English one stays GSM-7,
    the Hindi one links to the Hindi notice page; the WhatsApp message holds both."""
    from registry.complaints.notices.mail import notice_short_text

    request = only_mobile(name="श्री गणेश वस्त्र भंडार प्राइवेट लिमिटेड, भिवंडी")
    filed = filing.file_complaint(db, settings, member, request)
    english, hindi = rows(db, "sms")
    [chat] = rows(db, "whatsapp")
    link = f"{settings.public_base_url}/notice/{filed.notice_token}"
    assert (english.subject, hindi.subject) == ("notice", "notice_hi")  # their DLT templates
    assert english.body.endswith(link) and hindi.body.endswith(f"{link}?lang=hi")
    assert count_segments(hindi.body).encoding == "UCS-2"
    assert count_segments(hindi.body).count <= 2 and count_segments(english.body).count <= 2
    assert "बकाया" in hindi.body and "Shree Ganesh Textiles" in hindi.body
    together = (
        f"{notice_short_text(filed.complaint)} {notice_short_text(filed.complaint, code='hi')}"
    )
    assert count_segments(f"{together} {link}").count > 2  # why they go apart
    hindi_text = notice_short_text(filed.complaint, code="hi")
    assert hindi_text in chat.body and notice_short_text(filed.complaint) in chat.body
    assert chat.body.endswith(link)


def test_an_english_debtor_name_keeps_the_english_sms_in_gsm7(db, settings, member):
    filing.file_complaint(db, settings, member, only_mobile())
    english, hindi = rows(db, "sms")
    assert count_segments(english.body).encoding == "GSM-7"
    assert "owes it Rs 4,00,000.00. See the notice and answer it:" in english.body  # whole
    assert "₹4,00,000 बकाया" in hindi.body
    assert count_segments(english.body).count <= 2
    assert count_segments(hindi.body).encoding == "UCS-2"
    assert count_segments(hindi.body).count <= 2


def test_the_hindi_sms_keeps_a_long_reporters_name_whole(db, settings, factory):
    """The Hindi SMS is UCS-2 (134 characters in two segments) and ends with the notice
    link, so the link is kept short (a 128-bit token): the name of whoever reported,
    however long a firm's name runs, still fits whole."""
    name = "Shree Ganesh Textiles and Garments Pvt Ltd"
    member = Actor.of(factory.member_user(name=name))
    settings = settings.but(public_base_url="https://khataregistry.example")
    filed = filing.file_complaint(db, settings, member, only_mobile())
    english, hindi = rows(db, "sms")
    assert name in hindi.body and "..." not in hindi.body
    assert count_segments(hindi.body).count <= 2 and name in english.body
    assert len(filed.notice_token) == links.TOKEN_LENGTH
