"""A full refund wins whichever event arrives first: when `charge.refunded` overtakes the
payment's own event, the order goes straight to refunded, the books show the charge and
its refund, and the late paid event is stored but unlocks nothing (API.md, "Gateway
webhook": duplicate, retried, late or out-of-order events)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry.models import (
    AuditEntry,
    GatewayEvent,
    OrderStatus,
    PaymentLedger,
    ReportOrder,
    ReportSnapshot,
)
from registry.payments import fulfilment
from tests.conftest import PASSWORD
from tests.payments.conftest import (
    bearer,
    charge_object,
    checkout_object,
    deliver,
    event,
    intent_object,
)

PAID_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "payment_intent.succeeded",
)


@pytest.fixture
def buyer(factory):
    user = factory.member_user()
    return user, factory.api_key(user)


def order_through(client, db, buyer, business):
    response = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(buyer[1])
    )
    assert response.status_code == 201, response.json
    return db.get(ReportOrder, response.json["id"])


@pytest.fixture
def order(client, db, buyer, make_business):
    """A pending order bought through the API, with the local test gateway."""
    return order_through(client, db, buyer, make_business())


@pytest.fixture
def keyed_order(keyed_client, db, buyer, make_business):
    """A pending order bought through the API of an app holding a gateway key."""
    return order_through(keyed_client, db, buyer, make_business())


def paid_event(kind, order, intent_id):
    """The gateway's word that the order was paid by this PaymentIntent."""
    if kind == "payment_intent.succeeded":
        return event(kind, intent_object(order, id=intent_id))
    return event(kind, checkout_object(order, payment_intent=intent_id))


def member_sees(client, key, order):
    """The order's status and the report's answer, as the member's API key sees them."""
    status = client.get(f"/api/v1/reports/orders/{order.id}", headers=bearer(key)).json["status"]
    report = client.get(f"/api/v1/reports/{order.business_id}", headers=bearer(key))
    return status, report.status_code


def books(db, order):
    kinds = db.scalars(select(PaymentLedger.kind).where(PaymentLedger.order_id == order.id))
    return sorted(kind.value for kind in kinds)


def moves(db, order):
    """The order's audited state changes, oldest first."""
    rows = db.execute(
        select(AuditEntry.from_state, AuditEntry.to_state)
        .where(
            AuditEntry.entity_type == "order",
            AuditEntry.entity_id == str(order.id),
            AuditEntry.action == "transition",
        )
        .order_by(AuditEntry.id)
    ).all()
    return [tuple(row) for row in rows]


def snapshots(db, order):
    return db.scalar(
        select(func.count()).select_from(ReportSnapshot).where(ReportSnapshot.order_id == order.id)
    )


@pytest.mark.parametrize("paid_kind", PAID_EVENTS)
def test_a_refund_before_the_payment_event_keeps_the_report_locked(
    client, db, buyer, order, paid_kind
):
    intent_id = f"pi_{order.id}_refunded_first"
    refund = deliver(client, event("charge.refunded", charge_object(order, intent_id)))
    assert refund.status_code == 200 and refund.json["outcome"] == "refunded"
    assert member_sees(client, buyer[1], order) == ("refunded", 402)

    late = paid_event(paid_kind, order, intent_id)
    answer = deliver(client, late)
    assert answer.status_code == 200 and answer.json["outcome"] == "order already refunded"
    assert member_sees(client, buyer[1], order) == ("refunded", 402)
    stored = db.get(GatewayEvent, late["id"])
    assert stored.order_id == order.id and stored.processed_at is not None
    assert books(db, order) == ["charge", "refund"]
    assert moves(db, order) == [("pending", "refunded")]
    assert snapshots(db, order) == 0
    db.refresh(order)
    assert order.payment_intent_id == intent_id and order.paid_at is None


@pytest.mark.parametrize("paid_kind", PAID_EVENTS)
def test_with_a_gateway_key_the_gateways_paid_answer_does_not_undo_a_refund(
    keyed_client, db, buyer, keyed_order, fake_gateway, paid_kind
):
    intent_id = fake_gateway.pay(keyed_order)["payment_intent"]
    charge = charge_object(keyed_order, intent_id)  # ...and then refunded at the gateway
    assert deliver(keyed_client, event("charge.refunded", charge)).json["outcome"] == "refunded"

    late = deliver(keyed_client, paid_event(paid_kind, keyed_order, intent_id))
    # The gateway was asked and still says paid (a refunded intent stays `succeeded`).
    assert fake_gateway.retrieved[-1] in (keyed_order.checkout_session_id, intent_id)
    assert late.json["outcome"] == "order already refunded"
    assert member_sees(keyed_client, buyer[1], keyed_order) == ("refunded", 402)
    assert books(db, keyed_order) == ["charge", "refund"]

    keyed_client.post("/login", data={"email": buyer[0].email, "password": PASSWORD})
    back = keyed_client.get(f"/reports/return?session_id={keyed_order.checkout_session_id}")
    assert back.headers["Location"] == f"/reports/orders/{keyed_order.id}"
    page = keyed_client.get(back.headers["Location"]).get_data(as_text=True)
    assert "This order was refunded through the gateway; its report is locked." in page


def test_a_refund_delivered_twice_counts_once(client, db, buyer, order):
    intent_id = f"pi_{order.id}_twice"
    refund = event("charge.refunded", charge_object(order, intent_id))
    answers = [deliver(client, refund) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json["outcome"] for a in answers] == ["refunded", "duplicate: already received"]
    # The same refund told again under another event id (e.g. replayed from the event list).
    again = deliver(client, event("charge.refunded", refund["data"]["object"]))
    assert again.json["outcome"] == "order already refunded"
    deliver(client, paid_event("checkout.session.completed", order, intent_id))

    assert member_sees(client, buyer[1], order) == ("refunded", 402)
    assert books(db, order) == ["charge", "refund"]
    assert moves(db, order) == [("pending", "refunded")]
    stored = db.scalar(select(func.count()).where(GatewayEvent.id == refund["id"]))
    assert stored == 1


def test_a_refund_that_loses_the_race_to_its_payment_still_locks(
    client, db, buyer, order, fake_gateway
):
    """The refund's handler read the order while it was pending, but a paid event (here
    through the app's own session) moved it first: the refund applies to the paid order."""
    intent_id = f"pi_{order.id}_raced"
    assert order.status is OrderStatus.PENDING  # what the refund's handler holds
    paid = deliver(client, paid_event("payment_intent.succeeded", order, intent_id))
    assert paid.json["outcome"] == "paid"
    assert order.status is OrderStatus.PENDING  # not re-read yet

    refund = event("charge.refunded", charge_object(order, intent_id))
    outcome = fulfilment.accept_event(db, fake_gateway, refund, json.dumps(refund))
    assert outcome.text == "refunded"
    assert member_sees(client, buyer[1], order) == ("refunded", 402)
    assert books(db, order) == ["charge", "refund"]
    assert moves(db, order) == [("pending", "paid"), ("paid", "refunded")]


def test_paid_then_refunded_still_locks_and_a_late_intent_event_changes_nothing(
    client, db, buyer, order
):
    paid = checkout_object(order)
    intent_id = paid["payment_intent"]
    assert deliver(client, event("checkout.session.completed", paid)).json["outcome"] == "paid"
    assert member_sees(client, buyer[1], order) == ("paid", 200)

    refund = deliver(client, event("charge.refunded", charge_object(order, intent_id)))
    assert refund.json["outcome"] == "refunded"
    late = deliver(client, paid_event("payment_intent.succeeded", order, intent_id))
    assert late.json["outcome"] == "order already refunded"
    assert member_sees(client, buyer[1], order) == ("refunded", 402)
    assert books(db, order) == ["charge", "refund"]
    assert moves(db, order) == [("pending", "paid"), ("paid", "refunded")]


def test_a_partial_refund_first_leaves_the_order_to_its_payment(client, db, buyer, order):
    intent_id = f"pi_{order.id}_partial"
    partial = charge_object(order, intent_id, refunded=False, amount_refunded=100)
    answer = deliver(client, event("charge.refunded", partial))
    assert answer.json["outcome"] == "partial refund: report stays unlocked"
    assert member_sees(client, buyer[1], order) == ("pending", 402)

    paid = deliver(client, paid_event("payment_intent.succeeded", order, intent_id))
    assert paid.json["outcome"] == "paid"
    assert member_sees(client, buyer[1], order) == ("paid", 200)
    assert books(db, order) == ["charge"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"metadata": {}}, "no order for this charge"),
        ({"metadata": {"order_id": "999999"}}, "no order for this charge"),
        ({"payment_intent": None}, "no order for this charge"),
        ({"amount": 100, "amount_refunded": 100}, "amount 100 does not match"),
        ({"currency": "usd"}, "currency usd does not match"),
    ],
)
def test_a_refund_that_is_not_of_this_orders_payment_changes_nothing(
    client, db, buyer, order, change, why
):
    intent_id = f"pi_{order.id}_elsewhere"
    refund = deliver(client, event("charge.refunded", charge_object(order, intent_id, **change)))
    assert refund.status_code == 200 and refund.json["outcome"].startswith(why)
    assert member_sees(client, buyer[1], order) == ("pending", 402)
    assert books(db, order) == [] and moves(db, order) == []

    paid = deliver(client, paid_event("checkout.session.completed", order, f"pi_{order.id}_ok"))
    assert paid.json["outcome"] == "paid"
    assert member_sees(client, buyer[1], order) == ("paid", 200)


def test_a_refund_of_another_payment_does_not_lock_a_paid_order(client, db, buyer, order):
    paid = checkout_object(order)
    deliver(client, event("checkout.session.completed", paid))
    other = charge_object(order, f"pi_{order.id}_someone_elses")
    answer = deliver(client, event("charge.refunded", other))
    assert answer.json["outcome"] == "refund of another payment"
    assert member_sees(client, buyer[1], order) == ("paid", 200)
    assert books(db, order) == ["charge"]


def test_a_refund_of_an_expired_orders_late_payment_leaves_it_expired(client, db, buyer, order):
    deliver(client, event("checkout.session.expired", checkout_object(order, status="expired")))
    intent_id = f"pi_{order.id}_too_late"
    answer = deliver(client, event("charge.refunded", charge_object(order, intent_id)))
    assert answer.json["outcome"] == "order already expired"
    assert member_sees(client, buyer[1], order) == ("expired", 402)
    assert books(db, order) == []
    db.refresh(order)
    assert order.status is OrderStatus.EXPIRED
