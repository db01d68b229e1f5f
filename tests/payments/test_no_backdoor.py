"""No route, role or parameter turns an order paid without the gateway.

Every route of the app is called by every kind of caller, with every parameter a shortcut
might hope for; the order stays pending, with no ledger entry and no audited payment.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, OrderStatus, PaymentLedger, ReportOrder
from tests.conftest import PASSWORD, build_app
from tests.payments.conftest import FakeGateway, bearer

HOPES = {
    "status": "paid",
    "paid": "true",
    "outcome": "paid",
    "payment_status": "paid",
    "mark_paid": "1",
    "force": "1",
}


def _url(rule, order):
    def value(match):
        converter = match.group(1) or ""
        if converter.startswith(("int", "float")):
            return str(order.id)
        if converter.startswith("path"):
            return order.checkout_session_id
        return order.checkout_session_id

    path = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", value, rule.rule)
    query = "&".join(
        f"{k}={v}" for k, v in {**HOPES, "session_id": order.checkout_session_id}.items()
    )
    return f"{path}?{query}"


def _callers(app, factory, member):
    anonymous = app.test_client()
    member_web, admin_web = app.test_client(), app.test_client()
    admin = factory.admin()
    for client, user in ((member_web, member), (admin_web, admin)):
        data = {"email": user.email, "password": PASSWORD}
        if user.totp_secret:
            data["code"] = pyotp.TOTP(user.totp_secret).now()
        assert client.post("/login", data=data).status_code == 302
    member_key, admin_key = factory.api_key(member), factory.api_key(admin)
    return [
        (anonymous, {}),
        (anonymous, bearer(member_key)),
        (anonymous, bearer(admin_key)),
        (member_web, {}),
        (admin_web, {}),
    ]


@pytest.mark.parametrize("keyed", [True, False], ids=["stripe-keyed", "test-gateway"])
def test_no_route_marks_an_order_paid(
    settings, keyed_settings, session_factory, db, factory, make_business, keyed
):
    gateway = FakeGateway() if keyed else None
    app = build_app(
        keyed_settings if keyed else settings,
        session_factory,
        WTF_CSRF_ENABLED=False,
        **({"PAYMENT_GATEWAY": gateway} if keyed else {}),
    )
    member = factory.member_user()
    created = app.test_client().post(
        "/api/v1/reports/orders",
        json={"business_id": make_business().id},
        headers=bearer(factory.api_key(member)),
    )
    assert created.status_code == 201
    order = db.get(ReportOrder, created.json["id"])

    callers = _callers(app, factory, member)
    called = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"static", "web.logout"}:
            continue  # logging out would turn the signed-in callers into anonymous ones
        if not keyed and rule.endpoint.startswith("test_gateway."):
            continue  # the test gateway's own page is the (test) gateway
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for client, headers in callers:
                url = _url(rule, order)
                if rule.rule.startswith("/api/"):
                    client.open(
                        url, method=method, json={**HOPES, "order_id": order.id}, headers=headers
                    )
                else:
                    client.open(
                        url, method=method, data={**HOPES, "order_id": order.id}, headers=headers
                    )
            called.add(rule.rule)

    assert {
        "/webhooks/stripe",
        "/reports/return",
        "/api/v1/admin/orders/<int:order_id>/refund",
    } <= called
    assert len(called) >= 20
    still_signed_in = callers[3][0].get("/reports")
    assert still_signed_in.status_code == 200
    db.expire_all()
    assert db.get(ReportOrder, order.id).status is OrderStatus.PENDING
    assert db.scalar(select(func.count()).select_from(PaymentLedger)) == 0
    paid = select(func.count()).select_from(AuditEntry).where(AuditEntry.to_state == "paid")
    assert db.scalar(paid) == 0
