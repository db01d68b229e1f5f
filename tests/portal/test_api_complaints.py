"""The complaint, notice and admin-dispute routes of API.md."""

import base64
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import create_app
from registry.complaints.notices import links
from registry.db import make_engine, make_sessionmaker
from registry.identifiers import gstin_for
from registry.models import Complaint, Invoice
from tests.conftest import PDF, Factory

TODAY = date.today()


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def body(**overrides):
    data = {
        "debtor": {
            "name": "Balaji Enterprises",
            "gstin": gstin_for("27", "ABCPB2222B"),
            "city": "Pune",
            "state": "Maharashtra",
            "email": "accounts@balaji.example",
        },
        "invoices": [
            {
                "number": "BE-1",
                "invoice_date": str(TODAY - timedelta(days=80)),
                "due_date": str(TODAY - timedelta(days=50)),
                "amount_paise": 250000_00,
                "paid_paise": 50000_00,
            }
        ],
        "evidence": [{"filename": "be-1.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def member_key(factory):
    return factory.api_key(factory.member_user(name="Kaveri Agro"))


@pytest.fixture
def admin_key(factory):
    return factory.api_key(factory.admin())


def test_filing_through_the_api(client, member_key, db):
    response = client.post("/api/v1/complaints", json=body(), headers=bearer(member_key))
    assert response.status_code == 201, response.json
    data = response.json
    assert data["status"] == "in_notice" and data["amount_outstanding_paise"] == 200000_00
    assert data["notice_ends_at"] and data["business_id"]
    detail = client.get(f"/api/v1/complaints/{data['id']}", headers=bearer(member_key)).json
    assert [h["to"] for h in detail["history"]] == ["filed", "in_notice"]


def test_without_a_key_nothing_is_parsed_or_written(client, db):
    response = client.post("/api/v1/complaints", json={"junk": True})
    assert response.status_code == 401
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "invoices": [
                    {
                        "number": "X",
                        "invoice_date": "2026-13-01",
                        "due_date": "2026-01-01",
                        "amount_paise": 1,
                    }
                ]
            },
            "invoices.0.invoice_date",
        ),
        (
            {
                "invoices": [
                    {
                        "number": "X",
                        "invoice_date": "2026-01-01",
                        "due_date": "2026-02-01",
                        "amount_paise": "lots",
                    }
                ]
            },
            "invoices.0.amount_paise",
        ),
        (
            {"evidence": [{"filename": "a.pdf", "content_base64": "%%%not base64"}]},
            "evidence.0.content_base64",
        ),
        ({"evidence": []}, "evidence"),
        (
            {"debtor": {"name": "Balaji", "gstin": "27ABCPB2222B1Z0", "email": "a@b.example"}},
            "debtor.gstin",
        ),
        ({"debtor": None}, "debtor"),
    ],
)
def test_bad_filings_get_422_with_field_paths(client, member_key, db, change, field):
    response = client.post("/api/v1/complaints", json=body(**change), headers=bearer(member_key))
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation" and field in error["fields"], error
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


def test_malformed_json_is_422(client, member_key):
    response = client.post(
        "/api/v1/complaints",
        data="{not json",
        content_type="application/json",
        headers=bearer(member_key),
    )
    assert response.status_code == 422 and response.json["error"]["code"] == "validation"


def test_duplicate_invoice_is_409(client, member_key):
    assert (
        client.post("/api/v1/complaints", json=body(), headers=bearer(member_key)).status_code
        == 201
    )
    again = client.post("/api/v1/complaints", json=body(), headers=bearer(member_key))
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate_invoice"


def test_settle_and_withdraw_and_forbidden_moves(client, member_key):
    first = client.post("/api/v1/complaints", json=body(), headers=bearer(member_key)).json["id"]
    withdrawn = client.post(f"/api/v1/complaints/{first}/withdraw", headers=bearer(member_key))
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    again = client.post(
        f"/api/v1/complaints/{first}/settle", json={"note": "paid"}, headers=bearer(member_key)
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"
    assert (
        client.get(f"/api/v1/complaints/{first}", headers=bearer(member_key)).json["status"]
        == "withdrawn"
    )
    second = client.post(
        "/api/v1/complaints",
        json=body(invoices=[{**body()["invoices"][0], "number": "BE-2"}]),
        headers=bearer(member_key),
    ).json["id"]
    settled = client.post(
        f"/api/v1/complaints/{second}/settle",
        json={"note": "cheque cleared"},
        headers=bearer(member_key),
    )
    assert (
        settled.json["status"] == "settled"
        and settled.json["history"][-1]["note"] == "cheque cleared"
    )
    late = client.post(f"/api/v1/complaints/{second}/withdraw", headers=bearer(member_key))
    assert late.status_code == 409 and late.json["error"]["code"] == "invalid_transition"


def test_other_members_cannot_touch_a_complaint(client, member_key, factory):
    complaint_id = client.post("/api/v1/complaints", json=body(), headers=bearer(member_key)).json[
        "id"
    ]
    other = factory.api_key(factory.member_user())
    for path in (
        f"/api/v1/complaints/{complaint_id}/settle",
        f"/api/v1/complaints/{complaint_id}/withdraw",
    ):
        assert client.post(path, json={}, headers=bearer(other)).status_code == 404
    assert (
        client.get(f"/api/v1/complaints/{complaint_id}", headers=bearer(member_key)).json["status"]
        == "in_notice"
    )


def token_of(db, settings, complaint_id):
    return links.token_for(db.get(Complaint, complaint_id), settings.secret_key)


def test_debtor_reads_and_disputes_by_token_and_admin_decides(
    client, db, settings, member_key, admin_key
):
    complaint_id = client.post("/api/v1/complaints", json=body(), headers=bearer(member_key)).json[
        "id"
    ]
    token = token_of(db, settings, complaint_id)
    seen = client.get(f"/api/v1/notices/{token}").json
    assert seen["reported_by"]["name"] == "Kaveri Agro" and seen["invoices"][0]["number"] == "BE-1"
    assert seen["evidence"][0]["filename"] == "be-1.pdf"
    bad = client.post(
        f"/api/v1/notices/{token}/dispute", json={"reason": "whatever", "statement": "x"}
    )
    assert bad.status_code == 422 and {"reason", "statement"} <= set(bad.json["error"]["fields"])
    opened = client.post(
        f"/api/v1/notices/{token}/dispute",
        json={"reason": "wrong_amount", "statement": "We returned half the goods."},
    )
    assert opened.status_code == 201 and opened.json["status"] == "open"
    queue = client.get("/api/v1/admin/disputes?status=open", headers=bearer(admin_key)).json
    assert (
        [d["id"] for d in queue] == [opened.json["dispute_id"]]
        and queue[0]["overdue"] is False
        and queue[0]["due_at"]
    )
    assert client.get("/api/v1/admin/disputes", headers=bearer(member_key)).status_code == 404
    decision = client.post(
        f"/api/v1/admin/disputes/{opened.json['dispute_id']}/decision",
        json={"outcome": "rejected", "note": "Return not documented by the buyer."},
        headers=bearer(admin_key),
    )
    assert decision.status_code == 200 and decision.json["status"] == "rejected"
    assert (
        client.get(f"/api/v1/notices/{token}").json["disputes"][0]["decision_note"]
        == "Return not documented by the buyer."
    )
    assert (
        client.get(f"/api/v1/complaints/{complaint_id}", headers=bearer(member_key)).json["status"]
        == "listed"
    )


def test_a_dispute_closed_by_settlement_is_listed_as_closed_and_cannot_be_decided(
    client, db, settings, member_key, admin_key
):
    complaint_id = client.post("/api/v1/complaints", json=body(), headers=bearer(member_key)).json[
        "id"
    ]
    token = token_of(db, settings, complaint_id)
    opened = client.post(
        f"/api/v1/notices/{token}/dispute",
        json={"reason": "already_paid", "statement": "Paid by NEFT, UTR 77."},
    ).json
    settled = client.post(
        f"/api/v1/complaints/{complaint_id}/settle",
        json={"note": "NEFT received"},
        headers=bearer(member_key),
    )
    assert settled.status_code == 200 and settled.json["status"] == "settled"
    assert client.get("/api/v1/admin/disputes", headers=bearer(admin_key)).json == []
    closed = client.get("/api/v1/admin/disputes?status=closed", headers=bearer(admin_key)).json
    assert [(d["id"], d["status"], d["overdue"]) for d in closed] == [
        (opened["dispute_id"], "closed", False)
    ]
    decision = client.post(
        f"/api/v1/admin/disputes/{opened['dispute_id']}/decision",
        json={"outcome": "upheld", "note": "The NEFT receipt matches."},
        headers=bearer(admin_key),
    )
    assert decision.status_code == 409
    assert decision.json["error"]["code"] == "invalid_transition"
    assert client.get(f"/api/v1/notices/{token}").json["disputes"][0]["status"] == "closed"
    unknown = client.get("/api/v1/admin/disputes?status=moot", headers=bearer(admin_key))
    assert unknown.status_code == 422
    assert unknown.json["error"]["fields"]["status"].endswith(
        "open, upheld, rejected, corrected, closed"
    )


def test_altered_or_unknown_tokens_are_404(client, db, settings, member_key):
    complaint_id = client.post("/api/v1/complaints", json=body(), headers=bearer(member_key)).json[
        "id"
    ]
    token = token_of(db, settings, complaint_id)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (altered, "x", "a" * 43):
        assert client.get(f"/api/v1/notices/{bad}").status_code == 404
        assert (
            client.post(
                f"/api/v1/notices/{bad}/dispute",
                json={"reason": "other", "statement": "long enough text"},
            ).status_code
            == 404
        )


def test_two_members_filing_the_same_invoice_at_once_yield_one(database_server, settings, tmp_path):
    if not database_server.is_postgres:
        pytest.skip(
            "concurrency is decided by PostgreSQL's unique index; SQLite serialises writers"
        )
    url = database_server.migrated_url()
    engine = make_engine(url, pool_size=10)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        key = Factory(session).api_key(Factory(session).member_user())
    app = create_app(
        {
            "REGISTRY_SETTINGS": settings.but(database_url=url),
            "SESSION_FACTORY": sessions,
            "TESTING": True,
        }
    )
    results, barrier = [], threading.Barrier(8)

    def file_once():
        barrier.wait()
        results.append(
            app.test_client()
            .post("/api/v1/complaints", json=body(), headers=bearer(key))
            .status_code
        )

    threads = [threading.Thread(target=file_once) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 1
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1
    assert sorted(results) == [201] + [409] * 7
    engine.dispose()
