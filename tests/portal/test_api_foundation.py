"""Bearer keys, the one error shape, 404-not-403, health and the OpenAPI document."""

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.database import db as request_db
from registry.actors import SYSTEM
from registry.complaints import life
from registry.db import make_engine
from registry.models import Business, Complaint, ComplaintStatus, Invoice
from tests.conftest import build_app


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def assert_error(response, status, code):
    assert response.status_code == status
    assert response.is_json
    error = response.json["error"]
    assert error["code"] == code and error["message"]
    return error


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_says_unavailable_when_the_database_is_down(settings):
    dead = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    app = build_app(settings, lambda: Session(bind=dead))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"
    dead.dispose()


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer kr_wrong", "Basic dXNlcjpwYXNz", "kr_nobearer"]
)
def test_missing_or_bad_keys_are_401(client, header):
    headers = {"Authorization": header} if header else {}
    assert_error(client.get("/api/v1/complaints", headers=headers), 401, "unauthorized")


def file_complaint(db, user, status=ComplaintStatus.IN_NOTICE):
    business = Business(name="Sai Plastics")
    db.add(business)
    db.flush()
    complaint = Complaint(
        member_id=user.member_id, business_id=business.id, amount_outstanding_paise=250000
    )
    db.add(complaint)
    db.flush()
    db.add(
        Invoice(
            complaint_id=complaint.id,
            member_id=user.member_id,
            business_id=business.id,
            number="A/1",
            number_key="A/1",
            invoice_date=date(2026, 8, 1),
            due_date=date(2026, 9, 1),
            amount_paise=300000,
            paid_paise=50000,
        )
    )
    life.transition(db, complaint, ComplaintStatus.IN_NOTICE, SYSTEM, "notice sent")
    db.flush()
    return complaint


def test_a_member_reads_its_complaint_with_history(client, db, factory):
    user = factory.member_user()
    complaint = file_complaint(db, user)
    key = factory.api_key(user)
    listing = client.get("/api/v1/complaints", headers=bearer(key))
    assert [c["id"] for c in listing.json] == [complaint.id]
    detail = client.get(f"/api/v1/complaints/{complaint.id}", headers=bearer(key)).json
    assert detail["status"] == "in_notice" and detail["amount_outstanding_paise"] == 250000
    assert detail["invoices"][0] == {
        "number": "A/1",
        "invoice_date": "2026-08-01",
        "due_date": "2026-09-01",
        "amount_paise": 300000,
        "paid_paise": 50000,
    }
    step = detail["history"][0]
    assert (step["from"], step["to"], step["by"], step["note"]) == (
        "filed",
        "in_notice",
        "registry",
        "notice sent",
    )
    assert step["at"].endswith(("Z", "+00:00"))


def test_another_members_complaint_is_404_not_403(client, db, factory):
    complaint = file_complaint(db, factory.member_user())
    snoop = factory.api_key(factory.member_user())
    error = assert_error(
        client.get(f"/api/v1/complaints/{complaint.id}", headers=bearer(snoop)), 404, "not_found"
    )
    assert "403" not in error["message"]
    assert client.get("/api/v1/complaints", headers=bearer(snoop)).json == []


def test_an_unknown_complaint_is_the_same_404(client, factory):
    key = factory.api_key(factory.member_user())
    assert_error(client.get("/api/v1/complaints/987654", headers=bearer(key)), 404, "not_found")


def test_admin_keys_have_no_member_routes(client, factory):
    key = factory.api_key(factory.admin())
    assert client.get("/api/v1/me", headers=bearer(key)).json["role"] == "admin"
    assert_error(client.get("/api/v1/complaints", headers=bearer(key)), 404, "not_found")


def test_unknown_routes_and_methods_answer_in_the_error_shape(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.delete("/api/v1/complaints"), 405, "method_not_allowed")


def test_html_pages_get_friendly_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_openapi_is_generated_from_the_routes(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Khata Registry"
    assert {"/api/v1/complaints", "/api/v1/complaints/{complaint_id}", "/api/v1/me"} <= set(
        spec["paths"]
    )
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    history = spec["components"]["schemas"]["HistoryEntry"]["properties"]
    assert {"at", "from", "to", "by", "note"} <= set(history)


def test_a_server_error_is_json_and_rolls_back(settings, session_factory, db, factory):
    app = build_app(settings, session_factory)
    key = factory.api_key(factory.member_user())

    @app.get("/api/v1/boom")
    def boom():
        request_db().execute(text("UPDATE members SET name = 'half-written'"))
        raise RuntimeError("boom")

    response = app.test_client().get("/api/v1/boom", headers=bearer(key))
    assert_error(response, 500, "server_error")
    assert (
        db.execute(text("SELECT count(*) FROM members WHERE name = 'half-written'")).scalar() == 0
    )
