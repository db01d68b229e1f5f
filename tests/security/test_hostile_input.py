"""Hostile input answers a 4xx in the one error shape (or an error page), never a 500:
NUL bytes, JSON nested 1,000 deep, huge numbers, a payment reused on another order."""

import json

import pytest
from sqlalchemy import select

from registry.models import Business, ReportOrder
from tests.payments.conftest import deliver, event, intent_object
from tests.security.conftest import bearer

NUL = "a\x00b"
DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"email": NUL, "password": NUL}),
        (
            "/apply",
            {
                "business_name": NUL,
                "gstin": NUL,
                "email": NUL,
                "password": NUL,
                "confirm": NUL,
                "industry": NUL,
            },
        ),
        ("/forgot-password", {"email": NUL}),
    ],
)
def test_nul_bytes_in_public_forms_are_refused_with_a_page(client, path, data):
    response = client.post(path, data=data)
    assert 400 <= response.status_code < 500
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "request_args",
    [
        {"path": "/search?q=" + NUL, "method": "GET"},
        {"path": "/account/api-keys", "method": "POST", "data": {"name": NUL}},
        {"path": "/complaints/new", "method": "POST", "data": {"debtor_name": NUL}},
        {"path": "/watchlist?page=" + NUL, "method": "GET"},
    ],
)
def test_nul_bytes_in_member_pages_are_refused_with_a_page(client, auth, factory, request_args):
    auth.login(factory.member_user().email)
    response = client.open(**request_args)
    assert 400 <= response.status_code < 500, response.status_code
    assert "<html" in response.get_data(as_text=True)


def test_nul_bytes_on_a_notice_page(client, notice):
    _complaint, token = notice
    response = client.post(f"/notice/{token}/promise", data={"pay_by": NUL})
    assert response.status_code == 422


def json_routes(app):
    """Every route under /api/ that takes a JSON body, with sample ids filled in."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or not rule.methods & {"POST", "PUT", "PATCH"}:
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "{token}")
        yield path


@pytest.mark.parametrize("document", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_json_nested_1000_deep_is_422_on_every_json_route(app, client, factory, notice, document):
    _complaint, token = notice
    admin = factory.api_key(factory.admin())
    member = factory.api_key(factory.member_user())
    routes = list(json_routes(app))
    assert len(routes) >= 8 and "/api/v1/notices/{token}/dispute" in routes
    for route in routes:
        key = admin if "/admin/" in route else member
        response = client.post(
            route.format(token=token),
            data=document,
            content_type="application/json",
            headers=bearer(key),
        )
        assert response.status_code == 422, (route, response.status_code)
        assert response.get_json()["error"]["code"] == "validation"
    unauthenticated = client.post(
        f"/api/v1/notices/{token}/dispute", data=document, content_type="application/json"
    )
    assert unauthenticated.status_code == 422


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/watches", {"business_id": 10**30}),
        ("/api/v1/watches", {"business_id": 2**63}),
        ("/api/v1/reports/orders", {"business_id": 99999999999999999999}),
        ("/api/v1/reports/orders", {"business_id": 1e400}),
        ("/api/v1/watches", '{"business_id": ' + "9" * 5000 + "}"),
    ],
)
def test_huge_numbers_are_422(client, factory, path, body):
    key = factory.api_key(factory.member_user())
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(path, data=data, content_type="application/json", headers=bearer(key))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation"


def test_huge_invoice_amounts_are_422(client, factory):
    key = factory.api_key(factory.member_user())
    body = {
        "debtor": {"name": "Balaji Enterprises", "email": "a@b.example"},
        "invoices": [
            {
                "number": "X-1",
                "invoice_date": "2026-01-01",
                "due_date": "2026-02-01",
                "amount_paise": 10**19,
            }
        ],
        "evidence": [],
    }
    response = client.post("/api/v1/complaints", json=body, headers=bearer(key))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation"


def test_a_signed_event_reusing_another_orders_payment_is_409(client, db, factory):
    key = factory.api_key(factory.member_user())
    businesses = [Business(name="Balaji Enterprises"), Business(name="Sharma Steel")]
    db.add_all(businesses)
    db.flush()
    orders = [
        db.get(
            ReportOrder,
            client.post(
                "/api/v1/reports/orders", json={"business_id": b.id}, headers=bearer(key)
            ).get_json()["id"],
        )
        for b in businesses
    ]
    paid = intent_object(orders[0])
    assert deliver(client, event("payment_intent.succeeded", paid)).status_code == 200
    reused = intent_object(orders[1], id=paid["id"])
    response = deliver(client, event("payment_intent.succeeded", reused))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "payment_reused"
    db.expire_all()
    statuses = db.scalars(
        select(ReportOrder.status).where(ReportOrder.id.in_([o.id for o in orders]))
    ).all()
    assert sorted(s.value for s in statuses) == ["paid", "pending"]
