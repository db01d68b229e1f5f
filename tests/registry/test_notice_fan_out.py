"""A notice reaches each recipient by the channels that reach it."""

from __future__ import annotations

import json

from sqlalchemy import select

from registry import outbox, worker
from registry.channels.segments import count_segments
from registry.complaints.notices.recipients import (
    Recipient,
    Version,
    fan_out,
    notice_recipients,
)
from registry.models import Business, Complaint, ComplaintStatus, OutboxMessage

LINK = "http://127.0.0.1:8000/notice/AbCdEf0123456789"
LONG = "Sharma Traders has reported that you owe it Rs 1,20,000 on six invoices. " * 5


def make(db, factory, debtor_email=None, business_email=None):
    user = factory.member_user()
    business = Business(
        name="मेहता ट्रेडर्स",
        email=business_email,
        contacts_source="import" if business_email else None,  # a directory load's
    )
    db.add(business)
    db.flush()
    complaint = Complaint(
        member_id=user.member_id,
        business_id=business.id,
        status=ComplaintStatus.IN_NOTICE,
        debtor_email=debtor_email,
    )
    db.add(complaint)
    db.flush()
    return complaint


def rows(db):
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_recipients_are_the_complaints_email_and_the_businesss_email(db, factory):
    complaint = make(db, factory, "accounts@mehta.example", "owner@mehta.example")
    assert notice_recipients(db, complaint) == [
        Recipient("email", "accounts@mehta.example", "complaint"),
        Recipient("email", "owner@mehta.example", "import"),
    ]


def test_the_same_address_twice_is_one_recipient(db, factory):
    complaint = make(db, factory, "owner@mehta.example", "Owner@Mehta.example")
    assert [r.source for r in notice_recipients(db, complaint)] == ["complaint"]


def test_no_address_means_no_recipient(db, factory):
    assert notice_recipients(db, make(db, factory)) == []


def test_a_mobile_gets_sms_and_whatsapp_and_an_email_gets_email(db, settings, tmp_path):
    recipients = [
        Recipient("mobile", "+919876543210", "complaint"),
        Recipient("email", "a@example.com", "complaint"),
        Recipient("mobile", "+919876543210", "business"),  # the same number: once
    ]
    assert fan_out(db, recipients, "notice", [Version("en", "Subject", "Body", LONG, LINK)]) == 3
    sent = rows(db)
    assert sorted(m.channel for m in sent) == ["email", "sms", "whatsapp"]
    sms = next(m for m in sent if m.channel == "sms")
    assert sms.body.endswith(LINK) and count_segments(sms.body).count <= 2
    assert sms.template == "notice"
    settings = settings.but(
        sms_url=f"file://{tmp_path}/sms", whatsapp_url=f"file://{tmp_path}/whatsapp"
    )
    outbox.deliver_due(db, _Mail(), channels=worker.channels_of(settings))
    [sms_file] = (tmp_path / "sms").iterdir()
    [whatsapp_file] = (tmp_path / "whatsapp").iterdir()
    assert json.loads(sms_file.read_text())["to"] == "+919876543210"
    assert LINK in json.loads(whatsapp_file.read_text(encoding="utf-8"))["text"]


class _Mail:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message.to_address)
