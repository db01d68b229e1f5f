"""Razorpay beside Stripe: its hosted checkout page and the way back, failed attempts and a
second try, refunds made at Razorpay, and reconciliation of missed webhooks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from registry.models import OrderStatus, ReportOrder, utcnow
from registry.payments import fulfilment, tax_invoices
from registry.payments.gateways import gateway_for
from registry.payments.razorpay_gateway import HOSTED_CHECKOUT, RazorpayGateway
from registry.settings import ConfigurationError, Settings
from tests.conftest import PASSWORD, build_app
from tests.payments import razorpay_standin as rzp
from tests.payments.conftest import bearer


@pytest.fixture(scope="module")
def standin():
    server = rzp.RazorpayStandIn()
    yield server
    server.close()


@pytest.fixture
def razorpay_settings(settings, standin):
    return settings.but(
        payment_gateway="razorpay",
        razorpay_key_id=rzp.KEY_ID,
        razorpay_key_secret=rzp.KEY_SECRET,
        razorpay_webhook_secret=rzp.WEBHOOK_SECRET,
        razorpay_api_base=standin.url,
    )


@pytest.fixture
def client(razorpay_settings, session_factory):
    return build_app(razorpay_settings, session_factory, WTF_CSRF_ENABLED=False).test_client()


@pytest.fixture
def buyer(factory):
    user = factory.member_user()
    return user, factory.api_key(user)


def start(client, db, key, business):
    created = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(key)
    ).json
    return db.get(ReportOrder, created["id"]), created


def test_an_order_is_a_razorpay_order_paid_on_its_hosted_checkout(
    client, db, buyer, make_business, standin, razorpay_settings
):
    _user, key = buyer
    order, created = start(client, db, key, make_business())
    remote = standin.orders[order.checkout_session_id]
    assert remote["amount"] == order.amount_paise and remote["currency"] == "INR"
    assert remote["receipt"] == str(order.id) and remote["notes"]["order_id"] == str(order.id)
    assert created["checkout_url"] == (
        f"{razorpay_settings.public_base_url}/checkout/razorpay/{order.checkout_session_id}"
    )
    page = client.get(f"/checkout/razorpay/{order.checkout_session_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert f'action="{HOSTED_CHECKOUT}"' in text
    assert f'value="{order.checkout_session_id}"' in text and f'value="{rzp.KEY_ID}"' in text
    assert "never into a person" in text  # the warning on every page that takes money
    assert "form-action 'self' https://api.razorpay.com" in page.headers["Content-Security-Policy"]
    assert client.get("/checkout/razorpay/order_unknown").status_code == 404


def test_the_way_back_is_believed_only_with_razorpays_signature_and_its_own_records(
    client, db, buyer, make_business, standin
):
    _user, key = buyer
    order, _ = start(client, db, key, make_business())
    forged = client.post(
        "/checkout/razorpay/return",
        data={
            "razorpay_order_id": order.checkout_session_id,
            "razorpay_payment_id": "pay_x",
            "razorpay_signature": "0" * 64,
        },
    )
    assert forged.status_code == 303 and forged.headers["Location"].endswith(
        f"/reports/orders/{order.id}"
    )
    db.refresh(order)
    assert order.status is OrderStatus.PENDING
    payment = standin.pay(order.checkout_session_id)
    signature = rzp.sign_webhook(
        f"{order.checkout_session_id}|{payment['id']}".encode(), rzp.KEY_SECRET
    )
    back = client.post(
        "/checkout/razorpay/return",
        data={
            "razorpay_order_id": order.checkout_session_id,
            "razorpay_payment_id": payment["id"],
            "razorpay_signature": signature,
        },
    )
    assert back.status_code == 303
    db.refresh(order)
    assert order.status is OrderStatus.PAID and order.payment_intent_id == payment["id"]


def test_a_declined_attempt_reads_failed_and_a_second_try_pays(
    client, db, buyer, make_business, standin
):
    user, key = buyer
    order, _ = start(client, db, key, make_business())
    failed = standin.fail(order.checkout_session_id)
    answer = rzp.deliver_razorpay(client, rzp.webhook("payment.failed", payment=failed))
    assert answer.status_code == 200
    db.refresh(order)
    assert order.status is OrderStatus.FAILED
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    page = client.get(f"/reports/orders/{order.id}").get_data(as_text=True)
    assert "payment failed" in page and "Try again" in page
    paid = standin.pay(order.checkout_session_id)
    rzp.deliver_razorpay(
        client,
        rzp.webhook("order.paid", order=standin.orders[order.checkout_session_id], payment=paid),
    )
    db.refresh(order)
    assert order.status is OrderStatus.PAID


def test_a_payment_of_the_wrong_amount_unlocks_nothing(client, db, buyer, make_business, standin):
    _user, key = buyer
    order, _ = start(client, db, key, make_business())
    payment = standin.pay(order.checkout_session_id, amount=100)
    rzp.deliver_razorpay(client, rzp.webhook("payment.captured", payment=payment))
    db.refresh(order)
    assert order.status is OrderStatus.PENDING


def test_a_refund_made_at_razorpay_locks_the_report(client, db, buyer, make_business, standin):
    _user, key = buyer
    business = make_business()
    order, _ = start(client, db, key, business)
    payment = standin.pay(order.checkout_session_id)
    rzp.deliver_razorpay(client, rzp.webhook("payment.captured", payment=payment))
    refund = standin.refund(payment["id"])
    assert (
        rzp.deliver_razorpay(client, rzp.webhook("refund.processed", refund=refund)).json["outcome"]
        == "refunded"
    )
    db.refresh(order)
    assert order.status is OrderStatus.REFUNDED
    assert client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).status_code == 402
    assert [d.kind.value for d in tax_invoices.documents_of(db, order.id)] == [
        "invoice",
        "credit_note",
    ]


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"x-razorpay-event-id": "evt_1"}, b'{"event": "order.paid"}'),  # no signature
        ({"X-Razorpay-Signature": "sig"}, b'{"event": "order.paid"}'),  # no event id
        ({}, b"not json"),
    ],
)
def test_an_unsigned_or_malformed_event_is_400(client, headers, body):
    if "X-Razorpay-Signature" in headers or not headers:
        headers = {**headers, "X-Razorpay-Signature": rzp.sign_webhook(body, rzp.WEBHOOK_SECRET)}
    answer = client.post("/webhooks/razorpay", data=body, headers=headers)
    assert answer.status_code == 400 and answer.json["error"]["code"] in {
        "bad_signature",
        "validation",
    }


def test_reconciliation_finds_a_payment_whose_webhook_was_lost(
    db, buyer, make_business, standin, razorpay_settings, client
):
    _user, key = buyer
    order, _ = start(client, db, key, make_business())
    standin.pay(order.checkout_session_id)  # ...and Razorpay's webhook never arrives
    gateway = gateway_for(razorpay_settings)
    assert isinstance(gateway, RazorpayGateway)
    since = utcnow() - timedelta(hours=1)
    listed = fulfilment.replay_events(db, gateway, since, replay=False)
    assert any(row["type"] == "payment.captured" and not row["received"] for row in listed)
    fulfilment.replay_events(db, gateway, since, replay=True)
    db.refresh(order)
    assert order.status is OrderStatus.PAID
    again = fulfilment.replay_events(db, gateway, since, replay=True)
    assert all("outcome" not in row for row in again)  # each is handled once


def test_razorpay_needs_its_keys(tmp_path):
    with pytest.raises(ConfigurationError, match="RAZORPAY_KEY_SECRET"):
        Settings.from_env(
            {"PAYMENT_GATEWAY": "razorpay", "RAZORPAY_KEY_ID": "k", "RAZORPAY_WEBHOOK_SECRET": "w"},
            tmp_path,
        )
    production = {
        "REGISTRY_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "PAYMENT_GATEWAY": "razorpay",
        "RAZORPAY_KEY_ID": "k",
        "RAZORPAY_KEY_SECRET": "s",
        "RAZORPAY_WEBHOOK_SECRET": "w",
    }
    settings = Settings.from_env(production, tmp_path)  # no Stripe keys needed
    assert settings.payment_gateway == "razorpay"
    with pytest.raises(ConfigurationError, match="PAYMENT_GATEWAY must be one of"):
        Settings.from_env({"PAYMENT_GATEWAY": "paypal"}, tmp_path)
