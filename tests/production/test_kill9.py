"""kill -9 in the middle: gunicorn while it files a complaint with uploads, files a bulk
import and takes a payment webhook; `registry worker` while it sends email and while it
applies the moves time makes. Each process is stopped at a named point between its writes
and their commit (`registry/faults.py`) and SIGKILLed there. After a restart nothing is
half-written, the retried action happens exactly once, and every email goes out, a
duplicate only ever being the interrupted message again, with the same Message-ID."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from registry import faults, outbox
from registry.actors import SYSTEM, Actor
from registry.bulk import batches
from registry.complaints import filing
from registry.identifiers import gstin_for
from registry.members import accounts, api_keys, watches
from registry.models import (
    AuditEntry,
    Business,
    Complaint,
    ComplaintStatus,
    EvidenceFile,
    GatewayEvent,
    ImportBatch,
    ImportStatus,
    Invoice,
    Notification,
    OrderStatus,
    OutboxMessage,
    PaymentLedger,
    ReportOrder,
    ReportSnapshot,
    User,
    utcnow,
)
from tests.conftest import PASSWORD, PDF, PNG, filing_request
from tests.members.conftest import csv_bytes, gstin, row
from tests.payments.conftest import checkout_object, event, intent_object, stripe_signature
from tests.production.crash import WEBHOOK_SECRET, Browser, Site, cut_off, in_background

TODAY = date.today()
DEBTOR_EMAIL = "accounts@lakshmi-paper.example"


@pytest.fixture
def site(database_server: Any, tmp_path: Path) -> Iterator[Site]:
    url = database_server.migrated_url()
    crash_site = Site(url, tmp_path)
    yield crash_site
    crash_site.close()


def session_of(site: Site) -> Session:
    return site.sessions()


def count(site: Site, model: Any, *where: Any) -> int:
    with session_of(site) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def member(site: Site, name: str, pan: str) -> tuple[User, str]:
    """An active member with a user (and an API key), committed."""
    with session_of(site) as session, session.begin():
        user = accounts.create_active(
            session,
            accounts.Application(
                name, gstin_for("27", pan), f"{pan.lower()}@kill9.example", PASSWORD
            ),
            SYSTEM,
        )
        key = api_keys.create(session, user, "kill9", SYSTEM)[1]
    return user, key


def files_in(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def evidence_is_whole(site: Site) -> set[Path]:
    """Every evidence row's file is there with its recorded content, and belongs to a
    complaint whose invoices are there too. Returns the files the rows name."""
    uploads = site.settings.uploads_path
    named = set()
    with session_of(site) as session:
        for item in session.scalars(select(EvidenceFile)):
            path = uploads / item.stored_name
            assert path.is_file() and sha256(path) == item.sha256, item.stored_name
            assert item.complaint is not None and item.complaint.invoices
            named.add(path)
        for complaint in session.scalars(select(Complaint)):
            assert complaint.evidence and complaint.invoices, complaint.id
    return named


def eml_to(site: Site, address: str) -> list[Any]:
    found = []
    for path in sorted(site.outbox.glob("*.eml")):
        email = message_from_bytes(path.read_bytes(), policy=policy.default)
        if email["To"] == address:
            found.append(email)
    return found


def test_the_fault_hook_stops_only_where_asked_and_never_in_production(tmp_path, monkeypatch):
    monkeypatch.setattr(faults, "HOLD_SECONDS", 0.0)
    monkeypatch.setenv(faults.DIRECTORY, str(tmp_path))
    monkeypatch.setenv(faults.POINT, "mail-sent")
    faults.pause("bulk-step")  # another point: passes
    monkeypatch.setenv("REGISTRY_ENV", "production")
    faults.pause("mail-sent")  # production: passes
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("REGISTRY_ENV", "development")
    with pytest.raises(faults.FaultNotKilled):
        faults.pause("mail-sent")
    assert [p.name for p in tmp_path.iterdir()] == [f"mail-sent.{os.getpid()}"]


# -- the web process ------------------------------------------------------------------------


def filing_form(token: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "debtor_name": "Lakshmi Paper Mart",
        "debtor_gstin": gstin_for("24", "ABCFL1111A"),
        "debtor_city": "Surat",
        "debtor_state": "Gujarat",
        "debtor_email": DEBTOR_EMAIL,
        "invoices-0-number": "LP/2026/101",
        "invoices-0-invoice_date": (TODAY - timedelta(days=90)).isoformat(),
        "invoices-0-due_date": (TODAY - timedelta(days=60)).isoformat(),
        "invoices-0-amount": "500000.00",
        "invoices-0-paid": "100000.00",
        "note": "Unpaid since the Diwali consignment.",
    }


EVIDENCE = [
    ("evidence", ("invoice-101.pdf", PDF, "application/pdf")),
    ("evidence", ("delivery-challan.png", PNG, "image/png")),
]


def test_filing_with_uploads_killed_before_commit_leaves_nothing_and_files_once(site):
    user, _ = member(site, "Ganesh Textiles", "AABCG1234K")
    businesses = count(site, Business)
    web = site.web(fault="filing-stored")
    browser = Browser(web)
    browser.login(user.email, PASSWORD)
    token = browser.csrf("/complaints/new")

    with in_background(
        lambda: browser.post("/complaints/new", data=filing_form(token), files=EVIDENCE)
    ) as answer:
        site.paused(web, "filing-stored")
        stored = files_in(site.settings.uploads_path)
        assert len(stored) == 2  # the uploads are on disk, their rows not yet committed
        web.kill9()
        cut_off(answer)

    assert count(site, Complaint) == 0
    assert count(site, Invoice) == 0
    assert count(site, EvidenceFile) == 0
    assert count(site, Business) == businesses
    assert count(site, OutboxMessage, OutboxMessage.kind == "notice") == 0
    assert count(site, AuditEntry, AuditEntry.entity_type == "complaint") == 0
    assert evidence_is_whole(site) == set()  # the stored files are orphans no row names

    browser.web = site.web()
    filed = browser.post("/complaints/new", data=filing_form(token), files=EVIDENCE)
    assert filed.status_code == 302, filed.text[:500]
    complaint_id = int(re.search(r"/complaints/(\d+)$", filed.headers["Location"]).group(1))
    again = browser.post("/complaints/new", data=filing_form(token), files=EVIDENCE)
    assert again.status_code == 422 and "already reported" in again.text

    assert count(site, Complaint) == 1 and count(site, Invoice) == 1
    assert count(site, EvidenceFile) == 2
    named = evidence_is_whole(site)
    assert len(named) == 2 and not named & stored
    with session_of(site) as session:
        complaint = session.get(Complaint, complaint_id)
        assert complaint.status is ComplaintStatus.IN_NOTICE
        downloads = {
            browser.get(f"/complaints/{complaint_id}/evidence/{item.id}").content
            for item in complaint.evidence
        }
    assert downloads == {PDF, PNG}
    first = json.loads(site.worker_once())
    assert len(eml_to(site, DEBTOR_EMAIL)) == 1  # one notice, sent once
    assert first["orphan_files_removed"] == 0 and all(p.exists() for p in stored)  # too fresh

    for path in stored | named:  # an hour on: the killed request's files are orphans
        then = (utcnow() - timedelta(hours=2)).timestamp()
        os.utime(path, (then, then))
    assert json.loads(site.worker_once())["orphan_files_removed"] == 2
    assert files_in(site.settings.uploads_path) == named == evidence_is_whole(site)


def test_bulk_import_step_killed_midway_files_all_or_nothing(site):
    user, _ = member(site, "Marwar Steel", "AABCM2345L")
    web = site.web(fault="bulk-step")
    browser = Browser(web)
    browser.login(user.email, PASSWORD)
    token = browser.csrf("/imports")
    content = csv_bytes(
        [row(name=f"Buyer {n} Traders", gst=gstin(n), number=f"K9-{n}") for n in (1, 2, 3)]
    )
    uploaded = browser.post(
        "/imports",
        data={"csrf_token": token},
        files=[
            ("file", ("overdue.csv", content, "text/csv")),
            ("documents", ("ledger.pdf", PDF, "application/pdf")),
        ],
    )
    assert uploaded.status_code == 303, uploaded.text[:500]
    batch_id = int(re.search(r"/imports/(\d+)$", uploaded.headers["Location"]).group(1))
    with session_of(site) as session:
        documents = batches.folder(site.settings, session.get(ImportBatch, batch_id))

    with in_background(
        lambda: browser.post(f"/imports/{batch_id}/file", data={"csrf_token": token})
    ) as answer:
        site.paused(web, "bulk-step")
        assert len(files_in(site.settings.uploads_path)) == 1  # one complaint written
        web.kill9()
        cut_off(answer)

    with session_of(site) as session:
        batch = session.get(ImportBatch, batch_id)
        assert batch.status is ImportStatus.UPLOADED
        assert (batch.cursor, batch.filed, batch.failed) == (0, 0, 0)
    assert count(site, Complaint) == 0 and count(site, Invoice) == 0
    assert count(site, EvidenceFile) == 0
    assert count(site, OutboxMessage, OutboxMessage.kind == "notice") == 0
    assert len(files_in(documents)) == 1  # the import keeps its document: it can be filed

    browser.web = site.web()
    filed = browser.post(f"/imports/{batch_id}/file", data={"csrf_token": token})
    assert filed.status_code == 303 and filed.headers["Location"].endswith("/progress")
    assert browser.post(f"/imports/{batch_id}/file", data={"csrf_token": token}).status_code == 303

    with session_of(site) as session:
        batch = session.get(ImportBatch, batch_id)
        assert batch.status is ImportStatus.DONE
        assert (batch.total, batch.filed, batch.failed) == (3, 3, 0)
        results = json.loads(batch.results)
        ids = sorted(r["complaint_id"] for r in results)
        assert ids == sorted(session.scalars(select(Complaint.id)))
    assert count(site, Complaint) == 3 and count(site, Invoice) == 3
    assert count(site, OutboxMessage, OutboxMessage.kind == "notice") == 3
    assert len(evidence_is_whole(site)) == 3
    assert not documents.exists()  # cleaned up once filed


def deliver(url: str, evt: dict[str, Any]) -> Any:
    payload = json.dumps(evt).encode()
    return requests.post(
        f"{url}/webhooks/stripe",
        data=payload,
        headers={
            "Stripe-Signature": stripe_signature(payload, WEBHOOK_SECRET),
            "Content-Type": "application/json",
        },
        timeout=30,
    )


def test_payment_webhook_killed_before_commit_is_paid_once_on_redelivery(site):
    user, key = member(site, "Kaveri Agro", "AABCK3456M")
    with session_of(site) as session, session.begin():
        business = Business(name="Sundaram Hardware Stores")
        session.add(business)
        session.flush()
        order = ReportOrder(
            member_id=user.member_id,
            user_id=user.id,
            business_id=business.id,
            amount_paise=49900,
            checkout_session_id=f"cs_test_kill9_{business.id}",
        )
        session.add(order)
    checkout = checkout_object(order)
    completed = event("checkout.session.completed", checkout)
    succeeded = event(
        "payment_intent.succeeded", intent_object(order, id=checkout["payment_intent"])
    )
    web = site.web(fault="payment-unlocked")

    with in_background(lambda: deliver(web.url, completed)) as answer:
        site.paused(web, "payment-unlocked")
        web.kill9()
        cut_off(answer)

    def paid_state() -> tuple[Any, ...]:
        with session_of(site) as session:
            found = session.get(ReportOrder, order.id)
            return (
                found.status,
                count(site, PaymentLedger, PaymentLedger.order_id == order.id),
                count(site, ReportSnapshot, ReportSnapshot.order_id == order.id),
                count(
                    site,
                    AuditEntry,
                    AuditEntry.entity_type == "order",
                    AuditEntry.entity_id == str(order.id),
                    AuditEntry.to_state == "paid",
                ),
            )

    assert paid_state() == (OrderStatus.PENDING, 0, 0, 0)
    assert count(site, GatewayEvent) == 0  # not remembered: the redelivery is handled

    web = site.web()
    report = f"{web.url}/api/v1/reports/{business.id}"
    bearer = {"Authorization": f"Bearer {key}"}
    assert requests.get(report, headers=bearer, timeout=30).status_code == 402
    outcomes = [deliver(web.url, evt) for evt in (completed, completed, succeeded)]
    assert [a.status_code for a in outcomes] == [200, 200, 200]
    assert [a.json()["outcome"] for a in outcomes] == [
        "paid",
        "duplicate: already received",
        "order already paid",
    ]
    assert paid_state() == (OrderStatus.PAID, 1, 1, 1)
    assert requests.get(report, headers=bearer, timeout=30).status_code == 200


# -- the worker process ---------------------------------------------------------------------


class SmtpRecorder:
    """A local SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received: list[bytes] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(bytes(envelope.content))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [
            str(message_from_bytes(raw, policy=policy.default)["Message-ID"])
            for raw in self.received
        ]

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpRecorder]:
    server = SmtpRecorder()
    yield server
    server.stop()


def unsent(site: Site) -> int:
    return count(site, OutboxMessage, OutboxMessage.sent_at.is_(None))


@pytest.mark.parametrize("transport", ["file", "smtp"])
def test_worker_killed_between_send_and_commit_sends_everything_once_more_at_most(
    site, request, transport
):
    with session_of(site) as session, session.begin():
        queued = [
            outbox.queue_email(session, "test", f"trader{n}@kill9.example", f"Hello {n}", "Body")
            for n in range(3)
        ]
    ids = {m.id: m.message_id for m in queued}
    first = min(ids)
    mail_url = None
    if transport == "smtp":
        server: SmtpRecorder = request.getfixturevalue("smtp")
        mail_url = f"smtp://127.0.0.1:{server.port}"

    worker = site.worker(fault="mail-sent", mail_url=mail_url)
    site.paused(worker, "mail-sent")
    with session_of(site) as session:
        assert session.get(OutboxMessage, first).sent_at is None  # sent, not yet recorded
    if transport == "smtp":
        assert server.message_ids() == [ids[first]]
    else:
        assert [p.name for p in site.outbox.glob("*.eml")] == [f"{first:08d}.eml"]
    worker.kill9()

    assert unsent(site) == 3
    restarted = site.worker(mail_url=mail_url)
    restarted.wait_for(lambda: unsent(site) == 0, "every email to be sent after the restart")
    restarted.kill9()

    with session_of(site) as session:
        attempts = dict(session.execute(select(OutboxMessage.id, OutboxMessage.attempts)).all())
    assert attempts == {i: 2 if i == first else 1 for i in ids}
    if transport == "smtp":
        received = Counter(server.message_ids())
        assert received == {mid: 2 if i == first else 1 for i, mid in ids.items()}
        again = [raw for raw in server.received if ids[first].encode() in raw]
        assert again[0] == again[1]  # the same message, which receivers recognise
    else:
        files = sorted(site.outbox.iterdir())
        assert [p.name for p in files] == [f"{i:08d}.eml" for i in sorted(ids)]  # no .tmp
        for path, (_, message_id) in zip(files, sorted(ids.items()), strict=True):
            assert (
                message_from_bytes(path.read_bytes(), policy=policy.default)["Message-ID"]
                == message_id
            )


def test_worker_killed_mid_round_lists_once_and_alerts_once(site):
    reporter, _ = member(site, "Vishwakarma Tools", "AABCV4567N")
    watcher, _ = member(site, "Anand Electricals", "AABCA5678P")
    with session_of(site) as session, session.begin():
        filed = filing.file_complaint(
            session, site.settings, Actor.of(session.merge(reporter)), filing_request()
        )
        complaint_id, business_id = filed.complaint.id, filed.complaint.business_id
        watches.watch(session, Actor.of(session.merge(watcher)), business_id)
        session.execute(
            update(Complaint)
            .where(Complaint.id == complaint_id)
            .values(notice_ends_at=utcnow() - timedelta(minutes=1))
        )

    worker = site.worker(fault="worker-round")
    site.paused(worker, "worker-round")
    worker.kill9()

    with session_of(site) as session:
        assert session.get(Complaint, complaint_id).status is ComplaintStatus.IN_NOTICE
    assert count(site, OutboxMessage, OutboxMessage.kind == "watch_alert") == 0
    assert count(site, Notification) == 0

    restarted = site.worker()

    def listed_and_sent() -> bool:
        with session_of(site) as session:
            status = session.get(Complaint, complaint_id).status
        return status is ComplaintStatus.LISTED and unsent(site) == 0

    restarted.wait_for(listed_and_sent, "the complaint to be listed and its alert sent")
    restarted.kill9()
    listed = AuditEntry.entity_type == "complaint", AuditEntry.to_state == "listed"
    assert count(site, AuditEntry, *listed) == 1
    assert count(site, OutboxMessage, OutboxMessage.kind == "watch_alert") == 1
    assert count(site, Notification) == 1
    alerts = [e for e in eml_to(site, watcher.email) if e["Subject"].startswith("Watchlist:")]
    assert len(alerts) == 1
    assert len(eml_to(site, DEBTOR_EMAIL)) == 1  # the notice, sent once
