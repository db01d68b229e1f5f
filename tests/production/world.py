"""A small registry with one of everything, so route tests can fill URLs with real ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.bulk import batches
from registry.claims import documents as claim_documents
from registry.complaints import disputes, filing
from registry.members import api_keys, watches
from registry.members import documents as member_documents
from registry.models import Business, DuplicatePair, User
from registry.payments import orders
from registry.rights import requests
from registry.settings import Settings
from tests.conftest import PDF, Factory, filing_request
from tests.members.conftest import csv_bytes, row

TODAY = date.today()


@dataclass
class World:
    owner: User
    other: User
    admin: User
    keys: dict[str, str]
    ids: dict[str, Any]


def build_world(db: Session, settings: Settings, app: Flask, factory: Factory) -> World:
    owner = factory.member_user(name="Owner Textiles")
    other = factory.member_user(name="Other Metals")
    admin = factory.admin()
    actor = Actor.of(owner)
    filed = filing.file_complaint(db, settings, actor, filing_request())
    complaint = filed.complaint
    disputed = filing.file_complaint(
        db,
        settings,
        actor,
        filing_request(
            invoices=[
                filing.InvoiceIn(
                    "LP/2026/202", TODAY - timedelta(days=80), TODAY - timedelta(days=50), 400000_00
                )
            ]
        ),
    )
    dispute = disputes.open_dispute(
        db,
        settings,
        disputed.complaint,
        "already_paid",
        "We paid this by NEFT in full last month.",
        [disputes.Document("receipt.pdf", PDF)],
    )
    owner_key = api_keys.create(db, owner, "erp", actor)[1]
    key_row = api_keys.create(db, owner, "old laptop", actor)[0]  # the one routes revoke
    order = orders.start_order(
        db,
        app.extensions["gateway"],
        actor,
        complaint.business_id,
        price_paise=49900,
        success_url="http://localhost/reports/return?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="http://localhost/reports",
    )
    watched = watches.watch(db, actor, complaint.business_id)
    batch = batches.upload(
        db,
        settings,
        actor,
        "overdue.csv",
        csv_bytes([row(number="IMP-1")]),
        [batches.Document("ledger.pdf", PDF)],
    )
    a, b = Business(name="Ganesh Traders"), Business(name="Ganesh Tradres")
    db.add_all([a, b])
    db.flush()
    pair = DuplicatePair(a_id=min(a.id, b.id), b_id=max(a.id, b.id), score=93.0, reasons="[]")
    db.add(pair)
    db.flush()
    privacy = requests.file(db, "access", "someone@example.com", "What do you hold about me?")
    claim = claim_documents.submit(
        db, settings, complaint.business, "owner@debtor.example", "reg06.pdf", PDF
    )
    proof = member_documents.attach(
        db,
        settings,
        owner.member,
        [member_documents.Proof(member_documents.GST_CERTIFICATE, "reg06.pdf", PDF)],
    )[0]
    db.expire_all()
    return World(
        owner=owner,
        other=other,
        admin=admin,
        keys={
            "member": owner_key,
            "other": factory.api_key(other),
            "admin": factory.api_key(admin),
        },
        ids={
            "complaint_id": complaint.id,
            "file_id": complaint.evidence[0].id,
            "dispute_file_id": dispute.evidence[0].id,
            "dispute_id": dispute.id,
            "key_id": key_row.id,
            "order_id": order.order.id,
            "session_id": order.order.checkout_session_id,
            "watch_id": watched.watch.id,
            "batch_id": batch.id,
            "line": 2,
            "pair_id": pair.id,
            "request_id": privacy.id,
            "claim_id": claim.id,
            "merge_id": 999999,
            "alias_id": 999999,
            "message_id": 999999,
            "member_id": owner.member_id,
            "document_id": proof.id,
            "business_id": complaint.business_id,
            "token": filed.notice_token,
            "code": "KR-AAAA-BBBB-CCCC-DDDD",  # a report's verification code (public)
            "filename": "style.css",
        },
    )
