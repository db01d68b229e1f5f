"""Ordering reports and refunding them through the JSON API: shapes, access, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, OrderStatus, ReportOrder
from tests.conftest import Auth
from tests.payments.conftest import PRICE, bearer, checkout_object, deliver, event


@pytest.fixture
def member(factory):
    user = factory.member_user()
    return user, factory.api_key(user)


def orders(db):
    return db.scalar(select(func.count()).select_from(ReportOrder))


def test_an_order_starts_pending_with_the_gateways_checkout(client, db, member, make_business):
    business = make_business()
    answer = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(member[1])
    )
    assert answer.status_code == 201
    body = answer.json
    assert {k: body[k] for k in ("status", "amount_paise", "currency", "business_id")} == {
        "status": "pending",
        "amount_paise": PRICE,
        "currency": "INR",
        "business_id": business.id,
    }
    assert body["checkout_session_id"].startswith("cs_test_")
    assert body["checkout_url"] == (
        f"http://localhost/test-gateway/checkout/{body['checkout_session_id']}"
    )
    again = client.get(f"/api/v1/reports/orders/{body['id']}", headers=bearer(member[1])).json
    assert again["status"] == "pending" and again["report_readable_until"] is None
    history = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "order", AuditEntry.entity_id == str(body["id"])
        )
    ).all()
    assert [(h.action, h.to_state) for h in history] == [("created", "pending")]


def test_the_price_comes_from_the_configuration(
    settings, session_factory, db, member, make_business
):
    from tests.conftest import build_app

    app = build_app(settings.but(report_price_paise=129900), session_factory)
    answer = app.test_client().post(
        "/api/v1/reports/orders",
        json={"business_id": make_business().id},
        headers=bearer(member[1]),
    )
    assert answer.json["amount_paise"] == 129900


def test_ordering_a_merged_business_buys_the_survivor(client, db, member, make_business):
    kept, merged = make_business("Kept Traders"), make_business("Old Name Traders")
    merged.merged_into_id = kept.id
    db.flush()
    answer = client.post(
        "/api/v1/reports/orders", json={"business_id": merged.id}, headers=bearer(member[1])
    )
    assert answer.status_code == 201 and answer.json["business_id"] == kept.id


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"business_id": "Missing data for required field."}),
        ({"business_id": "12"}, {"business_id": "Not a valid integer."}),
        (
            {"business_id": 0},
            {
                "business_id": "Must be greater than or equal to 1 and less than or equal to 2147483647."
            },
        ),
        ({"business_id": 1, "status": "paid"}, {"status": "Unknown field."}),
    ],
)
def test_bad_input_is_422_per_field_and_writes_nothing(client, db, member, body, fields):
    before = orders(db)
    answer = client.post("/api/v1/reports/orders", json=body, headers=bearer(member[1]))
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "validation"
    assert answer.json["error"]["message"]
    assert answer.json["error"]["fields"] == fields
    assert orders(db) == before


def test_a_body_that_is_not_json_is_422(client, member):
    answer = client.post(
        "/api/v1/reports/orders",
        data="business_id=1",
        headers={**bearer(member[1]), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422 and answer.json["error"]["code"] == "validation"


def test_an_unknown_business_is_404_and_writes_nothing(client, db, member):
    before = orders(db)
    answer = client.post(
        "/api/v1/reports/orders", json={"business_id": 987654}, headers=bearer(member[1])
    )
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
    assert orders(db) == before
    report = client.get("/api/v1/reports/987654", headers=bearer(member[1]))
    assert report.status_code == 404


def test_a_gateway_refusal_is_502_and_leaves_no_order(
    keyed_client, db, member, make_business, fake_gateway
):
    fake_gateway.fail = True
    before = orders(db)
    answer = keyed_client.post(
        "/api/v1/reports/orders",
        json={"business_id": make_business().id},
        headers=bearer(member[1]),
    )
    assert answer.status_code == 502 and answer.json["error"]["code"] == "gateway_error"
    assert orders(db) == before


def test_others_orders_and_reports_are_not_yours(client, db, factory, member, make_business):
    business = make_business()
    created = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(member[1])
    ).json
    order = db.get(ReportOrder, created["id"])
    deliver(client, event("checkout.session.completed", checkout_object(order)))
    assert client.get(f"/api/v1/reports/{business.id}", headers=bearer(member[1])).status_code == (
        200
    )

    snoop = factory.api_key(factory.member_user())
    mine = client.get(f"/api/v1/reports/orders/{order.id}", headers=bearer(snoop))
    assert mine.status_code == 404 and mine.json["error"]["code"] == "not_found"
    theirs = client.get(f"/api/v1/reports/{business.id}", headers=bearer(snoop))
    assert theirs.status_code == 402 and theirs.json["error"]["code"] == "payment_required"
    admin = factory.api_key(factory.admin())
    assert client.get(f"/api/v1/reports/orders/{order.id}", headers=bearer(admin)).status_code == (
        404
    )
    assert client.get("/api/v1/reports/orders/1").status_code == 401


# -- refunds -----------------------------------------------------------------------------------


@pytest.fixture
def paid_order(keyed_client, db, member, make_business, fake_gateway):
    business = make_business()
    created = keyed_client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(member[1])
    ).json
    order = db.get(ReportOrder, created["id"])
    fake_gateway.pay(order)
    deliver(keyed_client, event("checkout.session.completed", checkout_object(order)))
    db.refresh(order)
    assert order.status is OrderStatus.PAID
    return order


def test_an_admin_refund_goes_through_the_gateway_and_locks_the_report(
    keyed_client, db, factory, member, paid_order, fake_gateway
):
    report = f"/api/v1/reports/{paid_order.business_id}"
    assert keyed_client.get(report, headers=bearer(member[1])).status_code == 200
    admin = factory.api_key(factory.admin())
    answer = keyed_client.post(
        f"/api/v1/admin/orders/{paid_order.id}/refund", headers=bearer(admin)
    )
    assert answer.status_code == 200 and answer.json["status"] == "refunded"
    assert fake_gateway.refunds == [paid_order.payment_intent_id]
    assert keyed_client.get(report, headers=bearer(member[1])).status_code == 402
    again = keyed_client.post(f"/api/v1/admin/orders/{paid_order.id}/refund", headers=bearer(admin))
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"
    assert fake_gateway.refunds == [paid_order.payment_intent_id]


def test_a_refused_refund_is_502_and_the_report_stays_open(
    keyed_client, db, factory, member, paid_order, fake_gateway
):
    fake_gateway.fail = True
    admin = factory.api_key(factory.admin())
    answer = keyed_client.post(
        f"/api/v1/admin/orders/{paid_order.id}/refund", headers=bearer(admin)
    )
    assert answer.status_code == 502
    db.refresh(paid_order)
    assert paid_order.status is OrderStatus.PAID


def test_member_keys_cannot_refund(keyed_client, db, member, paid_order, fake_gateway):
    answer = keyed_client.post(
        f"/api/v1/admin/orders/{paid_order.id}/refund", headers=bearer(member[1])
    )
    assert answer.status_code == 404
    assert fake_gateway.refunds == []
    db.refresh(paid_order)
    assert paid_order.status is OrderStatus.PAID


def test_pending_or_unknown_orders_cannot_be_refunded(client, db, factory, member, make_business):
    admin = factory.api_key(factory.admin())
    assert client.post("/api/v1/admin/orders/424242/refund", headers=bearer(admin)).status_code == (
        404
    )
    created = client.post(
        "/api/v1/reports/orders",
        json={"business_id": make_business().id},
        headers=bearer(member[1]),
    ).json
    answer = client.post(f"/api/v1/admin/orders/{created['id']}/refund", headers=bearer(admin))
    assert answer.status_code == 409
    assert db.get(ReportOrder, created["id"]).status is OrderStatus.PENDING


def test_the_openapi_document_describes_the_payment_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {
        "/api/v1/reports/orders",
        "/api/v1/reports/orders/{order_id}",
        "/api/v1/reports/{business_id}",
        "/api/v1/admin/orders/{order_id}/refund",
    } <= set(paths)
    assert not any("paid" in path for path in paths)


# -- refunds from the portal: a ticked confirmation first -----------------------------------


@pytest.fixture
def admin_page(keyed_app, factory, db):
    client = keyed_app.test_client()
    assert Auth(client, db).login(factory.admin().email).status_code == 302
    return client


def test_a_refund_needs_the_confirmation_ticked(db, paid_order, fake_gateway, admin_page):
    listing = admin_page.get("/admin/orders").get_data(as_text=True)
    assert f"/admin/orders/{paid_order.id}" in listing
    page = admin_page.get(f"/admin/orders/{paid_order.id}").get_data(as_text=True)
    assert 'name="confirm" value="yes" required' in page and "locks again" in page

    unconfirmed = admin_page.post(f"/admin/orders/{paid_order.id}/refund")
    assert unconfirmed.status_code == 303
    shown = admin_page.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    assert "Tick the box to confirm the refund." in shown
    assert fake_gateway.refunds == []
    db.refresh(paid_order)
    assert paid_order.status is OrderStatus.PAID

    done = admin_page.post(f"/admin/orders/{paid_order.id}/refund", data={"confirm": "yes"})
    assert done.status_code == 302
    assert fake_gateway.refunds == [paid_order.payment_intent_id]
    db.refresh(paid_order)
    assert paid_order.status is OrderStatus.REFUNDED
    after = admin_page.get(done.headers["Location"]).get_data(as_text=True)
    assert "Refunded; the report is locked again." in after and 'name="confirm"' not in after

    again = admin_page.post(f"/admin/orders/{paid_order.id}/refund", data={"confirm": "yes"})
    assert again.status_code == 303 and fake_gateway.refunds == [paid_order.payment_intent_id]


def test_a_refused_refund_changes_nothing(db, paid_order, fake_gateway, admin_page):
    fake_gateway.fail = True
    answer = admin_page.post(f"/admin/orders/{paid_order.id}/refund", data={"confirm": "yes"})
    assert answer.status_code == 303
    assert "refused the refund" in admin_page.get(answer.headers["Location"]).text
    db.refresh(paid_order)
    assert paid_order.status is OrderStatus.PAID


def test_members_cannot_see_or_refund_orders(keyed_app, db, paid_order, factory, fake_gateway):
    client = keyed_app.test_client()
    assert Auth(client, db).login(factory.member_user().email).status_code == 302
    assert client.get("/admin/orders").status_code in (403, 404)
    refused = client.post(f"/admin/orders/{paid_order.id}/refund", data={"confirm": "yes"})
    assert refused.status_code in (403, 404)
    assert fake_gateway.refunds == []
