"""`StripeGateway` against localstripe, a Stripe-compatible server run locally.

localstripe has no Checkout Sessions, so the hosted page is stood in for by creating the
PaymentIntent Checkout would create (the order's amount, currency and `metadata.order_id`,
as `payment_intent_data` sets them); everything else is real: the payer's card, the
signed `payment_intent.succeeded` webhook localstripe sends, the re-read of the intent,
the refund and the event list.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import stripe

from registry.models import GatewayEvent, OrderStatus, ReportOrder, utcnow
from registry.payments import fulfilment, orders
from registry.payments.gateways import Checkout, CheckoutRequest, StripeGateway
from tests.conftest import build_app
from tests.payments.conftest import SECRET, bearer

PAYS = "4242424242424242"
DECLINED = "4000000000000341"  # attaches, then the charge is declined


class Deliveries:
    """What localstripe posted to our webhook address: raw bodies and their signatures."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, str]] = []
        self.arrived = threading.Condition()

    def add(self, body: bytes, signature: str) -> None:
        with self.arrived:
            self.received.append((body, signature))
            self.arrived.notify_all()

    def wait_for(self, event_type: str, object_id: str, timeout: float = 10) -> tuple[bytes, str]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for body, signature in self.received:
                    if f'"type": "{event_type}"' in body.decode() and object_id in body.decode():
                        return body, signature
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"localstripe sent no {event_type} for {object_id}")
                self.arrived.wait(left)


@pytest.fixture(scope="session")
def deliveries(localstripe_url):
    """A tiny HTTP receiver on 127.0.0.1, registered as localstripe's webhook endpoint."""
    found = Deliveries()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            found.add(body, self.headers["Stripe-Signature"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe"
    answer = requests.post(
        f"{localstripe_url}/_config/webhooks/registry",
        data={"url": url, "secret": SECRET},
        timeout=5,
    )
    assert answer.status_code == 200
    yield found
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class CheckoutlessGateway(StripeGateway):
    """The real StripeGateway, but the checkout is the PaymentIntent Checkout would make."""

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        intent = self.client.v1.payment_intents.create(
            {
                "amount": request.amount_paise,
                "currency": request.currency.lower(),
                "metadata": {"order_id": str(request.order_id)},
            }
        )
        return Checkout(id=f"cs_local_{intent.id}", url=f"https://pay.example/{intent.id}")


@pytest.fixture
def gateway(localstripe_url, deliveries):
    requests.delete(f"{localstripe_url}/_config/data", timeout=5)  # a clean slate
    return CheckoutlessGateway("sk_test_registry", api_base=localstripe_url)


@pytest.fixture
def stripe_client(gateway):
    return gateway.client


@pytest.fixture
def app(keyed_settings, session_factory, gateway, localstripe_url):
    settings = keyed_settings.but(stripe_api_base=localstripe_url)
    return build_app(settings, session_factory, WTF_CSRF_ENABLED=False, PAYMENT_GATEWAY=gateway)


@pytest.fixture
def buyer(factory):
    user = factory.member_user()
    return user, factory.api_key(user)


@pytest.fixture
def order(client, db, buyer, make_business):
    created = client.post(
        "/api/v1/reports/orders", json={"business_id": make_business().id}, headers=bearer(buyer[1])
    )
    assert created.status_code == 201
    return db.get(ReportOrder, created.json["id"])


def intent_of(order):
    return order.checkout_session_id.removeprefix("cs_local_")


def pay(stripe_client, intent_id, card):
    method = stripe_client.v1.payment_methods.create(
        {"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    stripe_client.v1.payment_intents.update(intent_id, {"payment_method": method.id})
    return stripe_client.v1.payment_intents.confirm(intent_id)


def forward(client, delivery):
    body, signature = delivery
    return client.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": signature},
        content_type="application/json",
    )


def report(client, buyer, order):
    return client.get(f"/api/v1/reports/{order.business_id}", headers=bearer(buyer[1]))


def test_a_card_payment_unlocks_through_the_signed_webhook(
    client, db, buyer, order, stripe_client, deliveries
):
    assert report(client, buyer, order).status_code == 402
    intent = pay(stripe_client, intent_of(order), PAYS)
    assert intent.status == "succeeded"
    answer = forward(client, deliveries.wait_for("payment_intent.succeeded", intent.id))
    assert answer.status_code == 200 and answer.json["outcome"] == "paid"
    assert report(client, buyer, order).status_code == 200
    db.refresh(order)
    assert order.status is OrderStatus.PAID and order.payment_intent_id == intent.id
    again = forward(client, deliveries.wait_for("payment_intent.succeeded", intent.id))
    assert again.json["outcome"] == "duplicate: already received"


def test_a_declined_card_unlocks_nothing(client, db, buyer, order, stripe_client, deliveries):
    with pytest.raises(stripe.CardError):
        pay(stripe_client, intent_of(order), DECLINED)
    failed = forward(client, deliveries.wait_for("payment_intent.payment_failed", intent_of(order)))
    assert failed.status_code == 200 and failed.json["outcome"] == "ignored"
    db.refresh(order)
    assert order.status is OrderStatus.PENDING
    assert report(client, buyer, order).status_code == 402


def test_a_real_refund_locks_the_report(
    client, db, factory, buyer, order, stripe_client, deliveries
):
    intent = pay(stripe_client, intent_of(order), PAYS)
    forward(client, deliveries.wait_for("payment_intent.succeeded", intent.id))
    assert report(client, buyer, order).status_code == 200
    admin = factory.api_key(factory.admin())
    refunded = client.post(f"/api/v1/admin/orders/{order.id}/refund", headers=bearer(admin))
    assert refunded.status_code == 200 and refunded.json["status"] == "refunded"
    assert report(client, buyer, order).status_code == 402
    charge = stripe_client.v1.payment_intents.retrieve(intent.id).latest_charge
    if isinstance(charge, str):  # Stripe answers an id; localstripe the whole charge
        charge = stripe_client.v1.charges.retrieve(charge)
    assert charge.refunded is True and charge.amount_refunded == order.amount_paise


def test_missed_webhooks_are_replayed_from_the_gateways_event_list(
    db, gateway, buyer, order, stripe_client
):
    intent = pay(stripe_client, intent_of(order), PAYS)  # its webhook never reaches us
    since = utcnow().replace(microsecond=0) - orders.ORDER_LIFETIME
    listed = fulfilment.replay_events(db, gateway, since, replay=False)
    assert "payment_intent.succeeded" in [row["type"] for row in listed]
    assert order.status is OrderStatus.PENDING and db.query(GatewayEvent).count() == 0

    replayed = fulfilment.replay_events(db, gateway, since, replay=True)
    outcomes = {row["type"]: row.get("outcome") for row in replayed}
    assert outcomes["payment_intent.succeeded"] == "paid"
    db.refresh(order)
    assert order.status is OrderStatus.PAID and order.payment_intent_id == intent.id
    assert all(row["received"] for row in fulfilment.replay_events(db, gateway, since, replay=True))
