"""The local test gateway signs like Stripe, keeps its own records and clock; expiry; and
`registry gateway-events`, which finds and replays events that never reached us."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import stripe
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from registry import migrate
from registry.actors import SYSTEM, Actor
from registry.cli import main
from registry.db import make_sessionmaker
from registry.identifiers import gstin_for
from registry.members import accounts
from registry.models import Business, OrderStatus, ReportOrder, utcnow
from registry.payments import fulfilment, orders
from registry.payments.gateways import GatewayError, TestGateway
from tests.conftest import build_app
from tests.payments.conftest import SECRET, bearer, checkout_object, event


@pytest.fixture
def clock():
    now = [utcnow()]
    return now


@pytest.fixture
def gateway(tmp_path, clock):
    return TestGateway(SECRET, tmp_path / "test_gateway", clock=lambda: clock[0])


@pytest.fixture
def member(factory):
    return factory.member_user()


def test_its_events_verify_with_the_stripe_library(db, gateway, member, make_business, start_order):
    order = start_order(gateway, member, make_business()).order
    completion = gateway.complete(order.checkout_session_id, "paid")
    kinds = []
    for delivery in completion.deliveries:
        verified = stripe.Webhook.construct_event(delivery.payload, delivery.signature, SECRET)
        kinds.append(verified.type)
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(delivery.payload, delivery.signature, "whsec_other")
    assert kinds == ["checkout.session.completed", "payment_intent.succeeded"]
    assert completion.return_url.endswith(f"session_id={order.checkout_session_id}")
    found = gateway.retrieve_checkout(order.checkout_session_id)
    assert (found["payment_status"], found["amount_total"], found["currency"]) == (
        "paid",
        49900,
        "inr",
    )
    assert gateway.retrieve_intent(found["payment_intent"])["metadata"] == {
        "order_id": str(order.id)
    }
    with pytest.raises(GatewayError):
        gateway.complete(order.checkout_session_id, "paid")


@pytest.mark.parametrize("bad", ["../../etc/passwd", "cs_test_short", "cs_live_" + "a" * 24])
def test_it_reads_only_its_own_ids(gateway, bad):
    with pytest.raises(GatewayError):
        gateway.retrieve_checkout(bad)


def test_a_bad_address_on_the_checkout_page_is_404(client):
    assert client.get("/test-gateway/checkout/..%2F..%2Fsecret_key").status_code == 404
    assert client.get("/test-gateway/checkout/cs_test_" + "b" * 24).status_code == 404


def test_its_refunds_are_full_and_once(db, gateway, member, make_business, start_order):
    order = start_order(gateway, member, make_business()).order
    intent = gateway.retrieve_checkout(order.checkout_session_id)["payment_intent"]
    assert intent is None
    gateway.complete(order.checkout_session_id, "paid")
    intent = gateway.retrieve_checkout(order.checkout_session_id)["payment_intent"]
    first, again = gateway.refund(intent, "k"), gateway.refund(intent, "k")
    assert first == again
    assert [e["type"] for e in gateway.list_events(utcnow() - timedelta(minutes=1))][-1] == (
        "charge.refunded"
    )


def test_its_clock_expires_open_checkouts(
    client, db, gateway, clock, member, make_business, start_order
):
    order = start_order(gateway, member, make_business()).order
    clock[0] += orders.ORDER_LIFETIME + timedelta(minutes=1)
    with pytest.raises(GatewayError, match="no longer open"):
        gateway.complete(order.checkout_session_id, "paid")
    since = utcnow() - timedelta(hours=1)
    outcomes = fulfilment.replay_events(db, gateway, since, replay=True)
    assert [(row["type"], row["outcome"]) for row in outcomes] == [
        ("checkout.session.expired", "expired")
    ]
    assert order.status is OrderStatus.EXPIRED


def test_the_registry_clock_expires_forgotten_orders(
    db, gateway, member, make_business, start_order
):
    business = make_business()
    old, awaiting, fresh = (start_order(gateway, member, business).order for _ in range(3))
    for order in (old, awaiting):
        order.expires_at = utcnow() - orders.EXPIRY_GRACE - timedelta(minutes=5)
    db.flush()
    outcome = fulfilment.handle_event(
        db,
        gateway,
        event("checkout.session.completed", checkout_object(awaiting, payment_status="unpaid")),
    )
    assert outcome.text == "not paid yet" and awaiting.expires_at is None  # a bank transfer
    assert orders.expire_overdue(db) == 1
    assert [o.status for o in (old, awaiting, fresh)] == [
        OrderStatus.EXPIRED,
        OrderStatus.PENDING,
        OrderStatus.PENDING,
    ]


def test_an_expired_checkout_cannot_be_paid(
    settings, session_factory, db, factory, member, make_business
):
    later = [utcnow()]
    gateway = TestGateway(SECRET, settings.instance_path / "gw", clock=lambda: later[0])
    client = build_app(
        settings, session_factory, WTF_CSRF_ENABLED=False, PAYMENT_GATEWAY=gateway
    ).test_client()
    created = client.post(
        "/api/v1/reports/orders",
        json={"business_id": make_business().id},
        headers=bearer(factory.api_key(member)),
    ).json
    page_url = created["checkout_url"].removeprefix("http://localhost")
    assert 'value="paid"' in client.get(page_url).get_data(as_text=True)
    later[0] += timedelta(hours=2)
    page = client.get(page_url).get_data(as_text=True)
    assert 'value="paid"' not in page and "expired" in page
    refused = client.post(page_url, data={"outcome": "paid"})
    assert refused.status_code == 409 and "no longer open" in refused.get_data(as_text=True)
    assert db.get(ReportOrder, created["id"]).status is OrderStatus.PENDING


# -- registry gateway-events ------------------------------------------------------------------


@pytest.fixture
def cli_env(database_server, tmp_path):
    env = {
        "DATABASE_URL": database_server.new_url(),
        "REGISTRY_INSTANCE": str(tmp_path),
        "MAIL_URL": f"file://{tmp_path / 'outbox'}",
        "STRIPE_SECRET_KEY": "",
        "STRIPE_WEBHOOK_SECRET": SECRET,
    }
    migrate.upgrade(env["DATABASE_URL"])
    return env


def run(env, *args):
    result = CliRunner().invoke(main, ["gateway-events", *args], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_gateway_events_lists_and_replays_what_never_arrived(cli_env, tmp_path):
    engine = create_engine(cli_env["DATABASE_URL"])
    gateway = TestGateway(SECRET, tmp_path / "test_gateway")
    with make_sessionmaker(engine).begin() as session:
        user = accounts.create_active(
            session,
            accounts.Application(
                "CLI Traders",
                gstin_for("27", "AACFC1234K"),
                "cli@x.example",
                "cli traders ledger 2026",
            ),
            SYSTEM,
        )
        business = Business(name="Lost Webhook Ltd")
        session.add(business)
        session.flush()
        order_id = orders.start_order(
            session,
            gateway,
            Actor.of(user),
            business.id,
            price_paise=49900,
            success_url="http://x/return?session_id={CHECKOUT_SESSION_ID}",
            cancel_url="http://x/",
        ).order.id
    with make_sessionmaker(engine)() as session:
        session_id = session.get(ReportOrder, order_id).checkout_session_id
    gateway.complete(session_id, "paid")  # paid at the gateway; the webhook is lost

    listed = run(cli_env, "--since", "1")
    assert [(e["type"], e["received"]) for e in listed["events"]] == [
        ("checkout.session.completed", False),
        ("payment_intent.succeeded", False),
    ]
    assert listed["replayed"] == 0

    replayed = run(cli_env, "--since", "1", "--replay")
    assert replayed["replayed"] == 2
    assert [e["outcome"] for e in replayed["events"]] == ["paid", "order already paid"]
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(ReportOrder.status).where(ReportOrder.id == order_id)) is (
            OrderStatus.PAID
        )
    assert run(cli_env, "--replay")["replayed"] == 0
    engine.dispose()
