"""One payment contract, three gateways: the local test gateway, Stripe (its server-side
truth played by a fake client, as the other payment tests do) and Razorpay (a local
stand-in of its API, reached through the official library). Whatever the gateway:
a payment unlocks the report once, however often or late its events arrive; a forged
event changes nothing; nothing unlocks without the gateway; a refund locks it again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from registry.models import LedgerKind, OrderStatus, PaymentLedger, ReportOrder
from registry.payments import tax_invoices
from tests.conftest import build_app
from tests.payments import razorpay_standin as rzp
from tests.payments.conftest import FakeGateway, bearer, checkout_object, deliver, event


@pytest.fixture(scope="module")
def standin():
    server = rzp.RazorpayStandIn()
    yield server
    server.close()


@dataclass
class Driver:
    """What a test does to one gateway: start an order, pay it there, resend its events."""

    name: str
    client: Any
    db: Any
    gateway: Any = None
    standin: Any = None
    sent: list[Any] | None = None

    def start(self, key: str, business_id: int) -> ReportOrder:
        created = self.client.post(
            "/api/v1/reports/orders", json={"business_id": business_id}, headers=bearer(key)
        )
        assert created.status_code == 201, created.json
        return self.db.get(ReportOrder, created.json["id"])

    def pay(self, order: ReportOrder) -> None:
        """The buyer pays at the gateway, which tells us (its webhook)."""
        if self.name == "test":
            page = self.client.post(order_checkout_path(self, order), data={"outcome": "paid"})
            assert page.status_code == 303
            self.db.refresh(order)
            self.sent = [event("checkout.session.completed", paid_session(order))]
        elif self.name == "stripe":
            self.gateway.pay(order)
            self.sent = [event("checkout.session.completed", checkout_object(order))]
            deliver(self.client, self.sent[0])
        else:
            payment = self.standin.pay(order.checkout_session_id)
            self.sent = [rzp.webhook("payment.captured", payment=payment)]
            assert rzp.deliver_razorpay(self.client, self.sent[0], "evt_paid_1").status_code == 200
        self.db.refresh(order)

    def resend(self) -> Any:
        """The same event again (a retry: same id)."""
        if self.name == "razorpay":
            return rzp.deliver_razorpay(self.client, self.sent[0], "evt_paid_1")
        return deliver(self.client, self.sent[0])

    def claim_paid_without_paying(self, order: ReportOrder) -> Any:
        """A signed event saying 'paid' for an order the gateway itself says is unpaid."""
        if self.name == "razorpay":
            fake = {
                "id": "pay_forged",
                "order_id": order.checkout_session_id,
                "status": "captured",
                "amount": order.amount_paise,
                "currency": "INR",
            }
            return rzp.deliver_razorpay(self.client, rzp.webhook("payment.captured", payment=fake))
        return deliver(self.client, event("checkout.session.completed", checkout_object(order)))

    def forge(self, order: ReportOrder) -> Any:
        """An event signed with the wrong secret."""
        if self.name == "razorpay":
            body = rzp.webhook("order.paid", order={"id": order.checkout_session_id})
            return rzp.deliver_razorpay(self.client, body, secret="not-the-secret")
        return deliver(
            self.client,
            event("checkout.session.completed", checkout_object(order)),
            secret="whsec_forged",
        )


def order_checkout_path(driver: Driver, order: ReportOrder) -> str:
    return f"/test-gateway/checkout/{order.checkout_session_id}"


def paid_session(order: ReportOrder) -> dict[str, Any]:
    return checkout_object(order, payment_intent=order.payment_intent_id)


@pytest.fixture(params=["test", "stripe", "razorpay"])
def driver(request, settings, session_factory, db, standin):
    if request.param == "test":
        app = build_app(settings, session_factory, WTF_CSRF_ENABLED=False)
        return Driver("test", app.test_client(), db)
    if request.param == "stripe":
        fake = FakeGateway()
        app = build_app(
            settings.but(stripe_secret_key="sk_test_fake"),
            session_factory,
            WTF_CSRF_ENABLED=False,
            PAYMENT_GATEWAY=fake,
        )
        return Driver("stripe", app.test_client(), db, gateway=fake)
    keyed = settings.but(
        payment_gateway="razorpay",
        razorpay_key_id=rzp.KEY_ID,
        razorpay_key_secret=rzp.KEY_SECRET,
        razorpay_webhook_secret=rzp.WEBHOOK_SECRET,
        razorpay_api_base=standin.url,
    )
    app = build_app(keyed, session_factory, WTF_CSRF_ENABLED=False)
    return Driver("razorpay", app.test_client(), db, standin=standin)


@pytest.fixture
def buyer(factory):
    user = factory.member_user()
    return user, factory.api_key(user)


def charges(db, order) -> int:
    return db.scalar(
        select(func.count())
        .select_from(PaymentLedger)
        .where(PaymentLedger.order_id == order.id, PaymentLedger.kind == LedgerKind.CHARGE)
    )


def test_a_payment_unlocks_the_report_once_however_often_it_is_told(driver, buyer, make_business):
    _user, key = buyer
    business = make_business()
    order = driver.start(key, business.id)
    assert (
        driver.client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).status_code == 402
    )
    driver.pay(order)
    assert order.status is OrderStatus.PAID
    for _ in range(3):
        assert driver.resend().status_code == 200
    driver.db.refresh(order)
    assert order.status is OrderStatus.PAID and charges(driver.db, order) == 1
    assert len(tax_invoices.documents_of(driver.db, order.id)) == 1
    assert (
        driver.client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).status_code == 200
    )


def test_a_forged_event_changes_nothing(driver, buyer, make_business):
    _user, key = buyer
    order = driver.start(key, make_business().id)
    answer = driver.forge(order)
    assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_signature"
    driver.db.refresh(order)
    assert order.status is OrderStatus.PENDING and charges(driver.db, order) == 0


@pytest.mark.parametrize("driver", ["stripe", "razorpay"], indirect=True)
def test_nothing_unlocks_unless_the_gateway_itself_says_paid(driver, buyer, make_business):
    _user, key = buyer
    business = make_business()
    order = driver.start(key, business.id)
    assert driver.claim_paid_without_paying(order).status_code == 200
    driver.db.refresh(order)
    assert order.status is OrderStatus.PENDING and charges(driver.db, order) == 0
    assert (
        driver.client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).status_code == 402
    )


def test_a_refund_through_the_gateway_locks_the_report(driver, buyer, factory, make_business):
    _user, key = buyer
    business = make_business()
    order = driver.start(key, business.id)
    driver.pay(order)
    admin = factory.api_key(factory.admin())
    refunded = driver.client.post(f"/api/v1/admin/orders/{order.id}/refund", headers=bearer(admin))
    assert refunded.status_code == 200 and refunded.json["status"] == "refunded"
    assert (
        driver.client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).status_code == 402
    )
    driver.resend()  # the payment's event, late: nothing unlocks again
    driver.db.refresh(order)
    assert order.status is OrderStatus.REFUNDED
    kinds = [d.kind.value for d in tax_invoices.documents_of(driver.db, order.id)]
    assert kinds == ["invoice", "credit_note"]
