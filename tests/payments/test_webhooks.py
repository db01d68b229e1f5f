"""The gateway webhook with signed synthetic events: a report unlocks exactly once, and
only when the gateway says it was paid the order's amount in the order's currency."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from registry.models import (
    AuditEntry,
    GatewayEvent,
    OrderStatus,
    PaymentLedger,
    ReportOrder,
)
from tests.conftest import PASSWORD
from tests.payments.conftest import (
    bearer,
    checkout_object,
    deliver,
    event,
    intent_object,
    stripe_signature,
)


@pytest.fixture
def buyer(factory):
    user = factory.member_user()
    return user, factory.api_key(user)


@pytest.fixture
def order(client, db, buyer, make_business):
    """A pending order bought through the API of the app with the local test gateway."""
    business = make_business()
    response = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(buyer[1])
    )
    assert response.status_code == 201, response.json
    return db.get(ReportOrder, response.json["id"])


def report_status(client, key, order):
    return client.get(f"/api/v1/reports/{order.business_id}", headers=bearer(key)).status_code


def count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def unlocks(db, order):
    """Ledger charges and audited pending -> paid moves of an order."""
    ledger = count(db, PaymentLedger, PaymentLedger.order_id == order.id)
    audited = count(
        db,
        AuditEntry,
        AuditEntry.entity_type == "order",
        AuditEntry.entity_id == str(order.id),
        AuditEntry.to_state == "paid",
    )
    return ledger, audited


def test_unpaid_completion_then_async_success_unlocks_once(client, db, buyer, order):
    completed = event("checkout.session.completed", checkout_object(order, payment_status="unpaid"))
    assert deliver(client, completed).status_code == 200
    db.refresh(order)
    assert order.status is OrderStatus.PENDING and order.expires_at is None
    assert report_status(client, buyer[1], order) == 402

    succeeded = event("checkout.session.async_payment_succeeded", checkout_object(order))
    answer = deliver(client, succeeded)
    assert answer.status_code == 200 and answer.json["outcome"] == "paid"
    db.refresh(order)
    assert order.status is OrderStatus.PAID and order.payment_intent_id.startswith("pi_")
    assert report_status(client, buyer[1], order) == 200
    assert unlocks(db, order) == (1, 1)


def test_duplicates_retries_and_every_paid_event_unlock_once(client, db, buyer, order):
    paid = checkout_object(order)
    intent = intent_object(order, id=paid["payment_intent"])
    completed = event("checkout.session.completed", paid)
    answers = [deliver(client, completed) for _ in range(3)]
    answers.append(deliver(client, event("payment_intent.succeeded", intent)))
    answers.append(deliver(client, event("checkout.session.async_payment_succeeded", paid)))
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json["outcome"] for a in answers[:3]] == ["paid"] + [
        "duplicate: already received"
    ] * 2
    assert answers[3].json["outcome"] == answers[4].json["outcome"] == "order already paid"
    assert count(db, GatewayEvent, GatewayEvent.id == completed["id"]) == 1
    assert unlocks(db, order) == (1, 1)
    assert report_status(client, buyer[1], order) == 200


def test_an_intent_arriving_before_its_session_unlocks_once(client, db, buyer, order):
    paid = checkout_object(order)
    intent = intent_object(order, id=paid["payment_intent"])
    assert deliver(client, event("payment_intent.succeeded", intent)).json["outcome"] == "paid"
    late = deliver(client, event("checkout.session.completed", paid))
    assert late.json["outcome"] == "order already paid"
    db.refresh(order)
    assert order.payment_intent_id == intent["id"]
    assert unlocks(db, order) == (1, 1)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"amount_total": 100}, "amount 100 does not match"),
        ({"currency": "usd"}, "currency usd does not match"),
        ({"payment_status": "unpaid"}, "not paid yet"),
        ({"client_reference_id": "999999"}, "no order for this checkout session"),
        ({"id": "cs_someone_else"}, "no order for this checkout session"),
    ],
)
def test_a_payment_that_does_not_match_the_order_unlocks_nothing(
    client, db, buyer, order, change, why
):
    answer = deliver(client, event("checkout.session.completed", checkout_object(order, **change)))
    assert answer.status_code == 200 and answer.json["outcome"].startswith(why)
    db.refresh(order)
    assert order.status is OrderStatus.PENDING
    assert report_status(client, buyer[1], order) == 402
    assert unlocks(db, order) == (0, 0)


@pytest.mark.parametrize(
    "change",
    [{"amount_received": 4990}, {"currency": "eur"}, {"status": "processing"}, {"metadata": {}}],
)
def test_an_intent_that_does_not_match_unlocks_nothing(client, db, buyer, order, change):
    deliver(client, event("payment_intent.succeeded", intent_object(order, **change)))
    db.refresh(order)
    assert order.status is OrderStatus.PENDING and unlocks(db, order) == (0, 0)


@pytest.mark.parametrize(
    "signing",
    [
        {"timestamp": int(time.time()) - 600},  # stale: outside the 5 minutes Stripe allows
        {"secret": "whsec_somebody_else"},
    ],
    ids=["stale", "wrong-secret"],
)
def test_bad_signatures_are_400_and_change_nothing(client, db, buyer, order, signing):
    paid = event("checkout.session.completed", checkout_object(order))
    answer = deliver(client, paid, **signing)
    assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_signature"
    assert count(db, GatewayEvent) == 0
    db.refresh(order)
    assert order.status is OrderStatus.PENDING
    assert report_status(client, buyer[1], order) == 402


def test_a_tampered_body_or_missing_header_is_400(client, db, order):
    payload = json.dumps(event("checkout.session.completed", checkout_object(order))).encode()
    header = stripe_signature(payload)
    tampered = payload.replace(b'"amount_total": 49900', b'"amount_total": 49901')
    assert tampered != payload
    for body, headers in [(tampered, {"Stripe-Signature": header}), (payload, {})]:
        answer = client.post("/webhooks/stripe", data=body, headers=headers)
        assert answer.status_code == 400
    assert count(db, GatewayEvent) == 0


def test_expiry_then_a_late_paid_event_does_not_unlock(client, db, buyer, order):
    expired = deliver(client, event("checkout.session.expired", checkout_object(order)))
    assert expired.json["outcome"] == "expired"
    late = deliver(client, event("checkout.session.completed", checkout_object(order)))
    assert late.json["outcome"] == "order already expired"
    db.refresh(order)
    assert order.status is OrderStatus.EXPIRED and unlocks(db, order) == (0, 0)
    assert client.get(f"/api/v1/reports/orders/{order.id}", headers=bearer(buyer[1])).json[
        "status"
    ] == ("expired")


def test_async_payment_failure_expires_the_order(client, db, order):
    failed = checkout_object(order, payment_status="unpaid")
    deliver(client, event("checkout.session.async_payment_failed", failed))
    db.refresh(order)
    assert order.status is OrderStatus.EXPIRED


def test_charge_refunded_locks_the_report_again(client, db, buyer, order):
    paid = checkout_object(order)
    deliver(client, event("checkout.session.completed", paid))
    assert report_status(client, buyer[1], order) == 200
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": paid["payment_intent"],
        "amount": order.amount_paise,
        "amount_refunded": order.amount_paise,
        "refunded": True,
        "refunds": {"data": [{"id": "re_1"}]},
    }
    answer = deliver(client, event("charge.refunded", charge))
    assert answer.json["outcome"] == "refunded"
    assert report_status(client, buyer[1], order) == 402
    db.refresh(order)
    assert order.status is OrderStatus.REFUNDED and order.refunded_at is not None
    kinds = db.scalars(select(PaymentLedger.kind).where(PaymentLedger.order_id == order.id)).all()
    assert sorted(k.value for k in kinds) == ["charge", "refund"]


def test_other_events_are_stored_and_ignored(client, db, order):
    other = event("customer.created", {"id": "cus_1", "object": "customer"})
    answer = deliver(client, other)
    assert answer.status_code == 200 and answer.json["outcome"] == "ignored"
    stored = db.get(GatewayEvent, other["id"])
    assert stored.type == "customer.created" and stored.processed_at is not None


# -- with a gateway key: the handler asks the gateway before it unlocks ----------------------


@pytest.fixture
def keyed_order(keyed_client, db, buyer, make_business):
    business = make_business()
    response = keyed_client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(buyer[1])
    )
    assert response.status_code == 201, response.json
    assert response.json["checkout_url"].startswith("https://checkout.example/")
    return db.get(ReportOrder, response.json["id"])


def test_a_forged_paid_event_the_gateway_contradicts_unlocks_nothing(
    keyed_client, db, buyer, keyed_order, fake_gateway
):
    forged = event("checkout.session.completed", checkout_object(keyed_order))
    answer = deliver(keyed_client, forged)
    assert answer.status_code == 200 and answer.json["outcome"] == "not paid yet"
    assert keyed_order.checkout_session_id in fake_gateway.retrieved
    db.refresh(keyed_order)
    assert keyed_order.status is OrderStatus.PENDING
    assert report_status(keyed_client, buyer[1], keyed_order) == 402

    forged_intent = intent_object(keyed_order)
    fake_gateway.intents[forged_intent["id"]] = {**forged_intent, "status": "requires_action"}
    deliver(keyed_client, event("payment_intent.succeeded", forged_intent))
    db.refresh(keyed_order)
    assert keyed_order.status is OrderStatus.PENDING and unlocks(db, keyed_order) == (0, 0)


def test_a_replayed_event_unlocks_once_the_gateway_agrees(
    keyed_client, db, buyer, keyed_order, fake_gateway
):
    fake_gateway.pay(keyed_order)
    stale_copy = checkout_object(keyed_order, payment_status="unpaid")  # the gateway is right
    answer = deliver(keyed_client, event("checkout.session.completed", stale_copy))
    assert answer.json["outcome"] == "paid"
    assert report_status(keyed_client, buyer[1], keyed_order) == 200


def test_the_return_page_before_the_webhook_unlocks_once(
    keyed_client, db, buyer, keyed_order, fake_gateway
):
    user = buyer[0]
    keyed_client.post("/login", data={"email": user.email, "password": PASSWORD})
    fake_gateway.pay(keyed_order)
    back = keyed_client.get(f"/reports/return?session_id={keyed_order.checkout_session_id}")
    assert back.status_code == 302
    assert back.headers["Location"] == f"/reports/orders/{keyed_order.id}/report"
    page = keyed_client.get(back.headers["Location"])
    assert page.status_code == 200 and "Risk score" in page.get_data(as_text=True)

    webhook = deliver(
        keyed_client, event("checkout.session.completed", checkout_object(keyed_order))
    )
    assert webhook.status_code == 200 and webhook.json["outcome"] == "order already paid"
    assert unlocks(db, keyed_order) == (1, 1)


def test_the_return_page_alone_proves_nothing(keyed_client, db, buyer, keyed_order):
    keyed_client.post("/login", data={"email": buyer[0].email, "password": PASSWORD})
    back = keyed_client.get(
        f"/reports/return?session_id={keyed_order.checkout_session_id}&paid=1&status=paid"
    )
    assert back.headers["Location"] == f"/reports/orders/{keyed_order.id}"
    page = keyed_client.get(back.headers["Location"]).get_data(as_text=True)
    assert "has not confirmed a payment" in page
    assert "Pay only through this portal's gateway, never into a person's account" in page
    db.refresh(keyed_order)
    assert keyed_order.status is OrderStatus.PENDING


def test_an_unreachable_gateway_answers_503_so_the_event_comes_again(
    keyed_client, db, keyed_order, fake_gateway
):
    paid = event("checkout.session.completed", checkout_object(keyed_order))
    fake_gateway.sessions.clear()  # retrieving now fails
    answer = deliver(keyed_client, paid)
    assert answer.status_code == 503
    assert db.get(GatewayEvent, paid["id"]) is None
    fake_gateway.sessions[keyed_order.checkout_session_id] = {
        "id": keyed_order.checkout_session_id,
        "client_reference_id": str(keyed_order.id),
        "amount_total": keyed_order.amount_paise,
        "currency": "inr",
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": "pi_back",
    }
    assert deliver(keyed_client, paid).json["outcome"] == "paid"
