"""Idempotency-Key on filing and ordering: a retried request answers what the first one
answered and does nothing again. Before, a retried filing with `new_business: true` made
another business, another complaint and another notice each time."""

from __future__ import annotations

import base64
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import create_app
from registry import idempotency
from registry.db import make_engine, make_sessionmaker
from registry.models import Business, Complaint, IdempotentRequest, OutboxMessage, utcnow
from tests.conftest import PDF, Factory

TODAY = date.today()


def body(number="RB-1", name="Ramesh Bhandar Stores"):
    return {
        "debtor": {
            "name": name,
            "city": "Indore",
            "email": "owner@ramesh.example",
            "new_business": True,
        },
        "invoices": [
            {
                "number": number,
                "invoice_date": str(TODAY - timedelta(days=70)),
                "due_date": str(TODAY - timedelta(days=40)),
                "amount_paise": 300000_00,
            }
        ],
        "evidence": [{"filename": "rb.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }


def headers(key, idempotency_key=None):
    out = {"Authorization": f"Bearer {key}"}
    if idempotency_key:
        out["Idempotency-Key"] = idempotency_key
    return out


def count(db, model):
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def key(factory):
    return factory.api_key(factory.member_user())


def test_a_retried_filing_answers_the_same_and_files_once(client, key, db):
    first = client.post("/api/v1/complaints", json=body(), headers=headers(key, "abc-1"))
    assert first.status_code == 201
    done = (count(db, Business), count(db, Complaint), count(db, OutboxMessage))
    again = client.post("/api/v1/complaints", json=body(), headers=headers(key, "abc-1"))
    assert again.status_code == 201 and again.json == first.json
    assert (count(db, Business), count(db, Complaint), count(db, OutboxMessage)) == done


def test_the_same_key_with_another_body_is_409(client, key, db):
    assert (
        client.post("/api/v1/complaints", json=body(), headers=headers(key, "k")).status_code == 201
    )
    other = client.post("/api/v1/complaints", json=body("RB-2"), headers=headers(key, "k"))
    assert other.status_code == 409 and other.json["error"]["code"] == "idempotency_conflict"
    assert count(db, Complaint) == 1


def test_without_a_key_a_retry_is_a_new_request(client, key, db):
    client.post("/api/v1/complaints", json=body(), headers=headers(key))
    again = client.post("/api/v1/complaints", json=body(), headers=headers(key))
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate_invoice"


def test_keys_are_each_members_own(client, key, factory, db):
    other = factory.api_key(factory.member_user())
    assert (
        client.post("/api/v1/complaints", json=body(), headers=headers(key, "x")).status_code == 201
    )
    theirs = client.post("/api/v1/complaints", json=body(), headers=headers(other, "x"))
    assert theirs.status_code == 201 and count(db, Complaint) == 2


def test_a_refused_request_keeps_nothing_and_the_key_can_be_used_again(client, key, db):
    bad = body()
    bad["invoices"][0]["amount_paise"] = 0
    assert (
        client.post("/api/v1/complaints", json=bad, headers=headers(key, "k2")).status_code == 422
    )
    assert count(db, IdempotentRequest) == 0
    good = client.post("/api/v1/complaints", json=body(), headers=headers(key, "k2"))
    assert good.status_code == 201


def test_a_key_older_than_a_day_is_forgotten(client, key, db):
    client.post("/api/v1/complaints", json=body(), headers=headers(key, "old"))
    row = db.scalar(select(IdempotentRequest))
    row.created_at = utcnow() - idempotency.LIFETIME - timedelta(minutes=1)
    db.commit()
    again = client.post("/api/v1/complaints", json=body(), headers=headers(key, "old"))
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate_invoice"


def test_a_bad_key_is_422(client, key, db):
    response = client.post("/api/v1/complaints", json=body(), headers=headers(key, "x" * 300))
    assert response.status_code == 422 and "Idempotency-Key" in response.json["error"]["fields"]
    assert count(db, Complaint) == 0


def test_the_openapi_document_names_the_header(client):
    document = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/complaints", "/api/v1/reports/orders"):
        operation = document["paths"][path]["post"]
        assert any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])), path


def test_concurrent_requests_with_one_key_file_once(database_server, settings):
    if not database_server.is_postgres:
        pytest.skip("concurrency is decided by PostgreSQL's unique index; SQLite serialises")
    url = database_server.migrated_url()
    engine = make_engine(url, pool_size=10)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        api_key = Factory(session).api_key(Factory(session).member_user())
    app = create_app(
        {
            "REGISTRY_SETTINGS": settings.but(database_url=url),
            "SESSION_FACTORY": sessions,
            "TESTING": True,
        }
    )
    results, barrier = [], threading.Barrier(6)

    def file_once():
        barrier.wait()
        response = app.test_client().post(
            "/api/v1/complaints", json=body(), headers=headers(api_key, "same")
        )
        results.append((response.status_code, json.dumps(response.json, sort_keys=True)))

    threads = [threading.Thread(target=file_once) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1
        assert session.scalar(select(func.count()).select_from(Business)) == 1
    assert len(set(results)) == 1 and results[0][0] == 201, results
    engine.dispose()


def test_a_double_submitted_filing_form_files_once(client, auth, factory, db):
    import io
    import re

    from registry.identifiers import gstin_for

    auth.login(factory.member_user().email)
    page = client.get("/complaints/new").get_data(as_text=True)
    once = re.search(r'name="once"[^>]*value="([^"]+)"', page)
    assert once, "the filing form carries no one-use token"

    def submit():
        return client.post(
            "/complaints/new",
            data={
                "debtor_name": "Om Shanti Logistics",
                "debtor_gstin": gstin_for("07", "ABCFO6666F"),
                "debtor_email": "pay@omshanti.example",
                "invoices-0-number": "OSL-77",
                "invoices-0-invoice_date": str(TODAY - timedelta(days=70)),
                "invoices-0-due_date": str(TODAY - timedelta(days=40)),
                "invoices-0-amount": "350000",
                "evidence": [(io.BytesIO(PDF), "osl-77.pdf")],
                "once": once.group(1),
            },
            content_type="multipart/form-data",
        )

    first, second = submit(), submit()
    assert first.status_code in (302, 303) and second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db, Complaint) == 1


def test_the_worker_forgets_keys_a_day_old(db, factory, session_factory, settings, tmp_path):
    from registry.mailer import FileMailer
    from registry.worker import run_once

    member = factory.member_user().member
    for key, age in (("old", idempotency.LIFETIME + timedelta(minutes=1)), ("new", timedelta(0))):
        db.add(
            IdempotentRequest(
                member_id=member.id,
                scope="complaints",
                key=key,
                request_hash="0" * 64,
                created_at=utcnow() - age,
            )
        )
    db.commit()
    done = run_once(session_factory, FileMailer(tmp_path / "mail"), settings, sweep=False)
    assert done.idempotency_keys_forgotten == 1
    db.expire_all()
    assert db.scalars(select(IdempotentRequest.key)).all() == ["new"]
