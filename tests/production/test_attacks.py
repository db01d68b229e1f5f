"""What an attacker would try first: forged forms, hostile uploads, injection, guessing."""

from __future__ import annotations

import base64
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.auth import SignedIn
from registry.actors import Actor
from registry.complaints import filing
from registry.identifiers import gstin_for
from registry.models import Base, Complaint, EvidenceFile
from tests.conftest import PDF, PNG, build_app, filing_request

HOSTILE = "<script>alert(1)</script> {{7*7}} ' OR 1=1-- ${7*7}"


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def row_counts(db):
    db.expire_all()
    return {
        t.name: db.execute(select(func.count()).select_from(t)).scalar_one()
        for t in Base.metadata.sorted_tables
    }


def complaint_body(**debtor):
    today = date.today()
    return {
        "debtor": {
            "name": "Hostile Paper Mart",
            "gstin": gstin_for("24", "ABCFH2222Q"),
            "email": "accounts@hostile.example",
            **debtor,
        },
        "invoices": [
            {
                "number": "H/1",
                "invoice_date": str(today - timedelta(days=90)),
                "due_date": str(today - timedelta(days=60)),
                "amount_paise": 300000_00,
            }
        ],
        "evidence": [{"filename": "invoice.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }


@pytest.fixture
def csrf_client(settings, session_factory, factory):
    """A client of an app with CSRF on, signed in as a member without ever seeing a form."""
    app = build_app(settings, session_factory)
    client = app.test_client()
    user = factory.member_user()
    with client.session_transaction() as session:
        session["_user_id"] = SignedIn(user).get_id()
        session["_fresh"] = True
    return app, client


def test_every_portal_form_refuses_a_post_without_its_csrf_token(csrf_client, db):
    app, client = csrf_client
    before = row_counts(db)
    posts = [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods
        and not rule.rule.startswith(("/api/", "/webhooks/"))
        # Razorpay posts the buyer back cross-site: its signature is the proof, and
        # test_razorpay.py holds that a forged one changes nothing.
        and rule.endpoint != "razorpay_checkout.returned"
    ]
    assert len(posts) > 20
    for rule in posts:
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "sometoken")
        response = client.post(path, data={"email": "x@example.com", "outcome": "paid"})
        assert response.status_code == 400, (path, response.status_code)
        assert "Form expired" in response.get_data(as_text=True)
    assert row_counts(db) == before


def test_a_forged_token_is_refused_too(csrf_client):
    _app, client = csrf_client
    response = client.post("/watches", data={"csrf_token": "forged", "business_id": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/notice/{token}/evidence/..%2f..%2f..%2fetc%2fpasswd",
        "/notice/{token}/evidence/%2e%2e%2fsecret_key",
        "/notice/..%2f..%2finstance%2fsecret_key",
        "/complaints/{id}/evidence/..%2fsecret_key",
        "/static/..%2f..%2fregistry%2fsettings.py",
        "/static/%2e%2e/__init__.py",
        "/reports/orders/..%2f1/report",
    ],
)
def test_path_traversal_finds_nothing(client, auth, db, settings, factory, path):
    user = factory.member_user()
    filed = filing.file_complaint(db, settings, Actor.of(user), filing_request())
    auth.login(user.email)
    (settings.instance_path / "secret_key").write_text("do not serve me")
    response = client.get(path.format(token=filed.notice_token, id=filed.complaint.id))
    assert response.status_code == 404
    assert b"do not serve me" not in response.data and b"from __future__" not in response.data


def test_an_uploaded_filename_cannot_climb_out_of_the_uploads(client, db, settings, factory):
    key = factory.api_key(factory.member_user())
    body = complaint_body()
    body["evidence"][0]["filename"] = "../../../../escaped.pdf"
    response = client.post("/api/v1/complaints", json=body, headers=bearer(key))
    assert response.status_code == 201
    assert not (settings.instance_path / "escaped.pdf").exists()
    assert not (settings.instance_path.parent / "escaped.pdf").exists()
    stored = db.scalars(select(EvidenceFile.stored_name)).all()
    assert stored and all("/" not in name and ".." not in name for name in stored)
    uploads = settings.uploads_path.resolve()
    assert all(p.resolve().is_relative_to(uploads) for p in uploads.rglob("*"))


def test_oversized_uploads_are_413_and_write_nothing(settings, session_factory, factory, db):
    app = build_app(settings.but(upload_max_bytes=2000), session_factory, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    user = factory.member_user()
    key = factory.api_key(user)
    before = row_counts(db)
    body = complaint_body()
    body["evidence"][0]["content_base64"] = base64.b64encode(PDF + b"0" * 40000).decode()
    api = client.post("/api/v1/complaints", json=body, headers=bearer(key))
    assert api.status_code == 413 and api.json["error"]["code"] == "validation"
    client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    page = client.post(
        "/complaints/new",
        data={"evidence": (io.BytesIO(PDF + b"0" * 40000), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 413 and "text/html" in page.content_type
    assert row_counts(db) == before
    assert not settings.uploads_path.exists() or not any(settings.uploads_path.rglob("*.pdf"))


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><script>alert(document.cookie)</script></body></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<svg><script>alert(1)</script></svg>",
        b"<html><!-- %PDF-1.4 --><script>alert(1)</script></html>",
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64,
        b"",
    ],
    ids=["html", "svg", "svg-script", "html-pdf-polyglot", "exe", "empty"],
)
def test_disguised_uploads_are_refused(client, db, factory, content):
    key = factory.api_key(factory.member_user())
    body = complaint_body()
    body["evidence"][0] = {
        "filename": "invoice.pdf",
        "content_base64": base64.b64encode(content).decode(),
    }
    before = db.scalar(select(func.count()).select_from(Complaint))
    response = client.post("/api/v1/complaints", json=body, headers=bearer(key))
    assert response.status_code == 422
    assert "evidence.0" in response.json["error"]["fields"]
    assert db.scalar(select(func.count()).select_from(Complaint)) == before


def test_a_real_image_named_pdf_is_judged_by_content(client, factory):
    key = factory.api_key(factory.member_user())
    body = complaint_body()
    body["evidence"][0] = {"filename": "scan.pdf", "content_base64": base64.b64encode(PNG).decode()}
    assert client.post("/api/v1/complaints", json=body, headers=bearer(key)).status_code == 201


def test_hostile_text_is_stored_verbatim_and_shown_escaped(client, auth, db, factory):
    user = factory.member_user()
    key = factory.api_key(user)
    body = complaint_body(name=f"Evil {HOSTILE}")
    body["note"] = HOSTILE
    response = client.post("/api/v1/complaints", json=body, headers=bearer(key))
    assert response.status_code == 201, response.json
    complaint = db.get(Complaint, response.json["id"])
    assert complaint.note == HOSTILE
    auth.login(user.email)
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{7*7}}" in page and "${7*7}" in page
    assert "&#39; OR 1=1--" in page or "' OR 1=1--" in page


@pytest.mark.parametrize(
    "q",
    ["' OR 1=1--", "%' OR '1'='1", "{{7*7}}", "<script>x</script>", "'; DROP TABLE businesses;--"],
)
def test_search_treats_hostile_queries_as_text(client, auth, db, settings, factory, q):
    user = factory.member_user()
    filing.file_complaint(db, settings, Actor.of(user), filing_request())
    key = factory.api_key(user)
    api = client.get("/api/v1/businesses/search", query_string={"q": q}, headers=bearer(key))
    assert api.status_code in {200, 422}
    if api.status_code == 200:
        assert all(r["score"] < 90 for r in api.json["results"])
    auth.login(user.email)
    page = client.get("/search", query_string={"q": q})
    assert page.status_code in {200, 422}
    text = page.get_data(as_text=True)
    assert "<script>x</script>" not in text
    assert client.get("/healthz").status_code == 200  # the tables are still there


def test_hostile_dispute_statement_is_escaped_for_the_admin(client, auth, db, settings, factory):
    user = factory.member_user()
    filed = filing.file_complaint(db, settings, Actor.of(user), filing_request())
    response = client.post(
        f"/api/v1/notices/{filed.notice_token}/dispute",
        json={"reason": "other", "statement": HOSTILE},
    )
    assert response.status_code == 201
    auth.login(factory.admin().email)
    page = client.get(f"/admin/disputes/{response.json['dispute_id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "{{7*7}}" in page


def test_others_ids_and_guessed_tokens_are_404(client, db, settings, factory):
    owner = factory.member_user()
    filed = filing.file_complaint(db, settings, Actor.of(owner), filing_request())
    other_key = factory.api_key(factory.member_user())
    for complaint_id in [filed.complaint.id, filed.complaint.id + 1, 0, 2**31]:
        response = client.get(f"/api/v1/complaints/{complaint_id}", headers=bearer(other_key))
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    token = filed.notice_token
    guesses = [token[:-1] + ("A" if token[-1] != "A" else "B"), token[:-2], "x" * len(token), "%00"]
    for guess in guesses:
        assert client.get(f"/notice/{guess}").status_code == 404
        assert client.get(f"/api/v1/notices/{guess}").status_code == 404


@pytest.mark.parametrize("prefix", ["/notice/", "/api/v1/notices/"])
def test_notice_links_are_rate_limited(settings, session_factory, prefix):
    app = build_app(settings.but(ratelimit_enabled=True), session_factory, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    statuses = [client.get(f"{prefix}guess{n:04d}").status_code for n in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
