"""Fixtures for payments and reports: businesses with complaints, orders, signed gateway
events, a fake keyed gateway, and a localstripe server for the whole session."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from registry.actors import Actor
from registry.identifiers import gstin_for
from registry.models import (
    Business,
    BusinessAlias,
    BusinessGstin,
    Complaint,
    ComplaintStatus,
    Invoice,
    User,
    utcnow,
)
from registry.payments import orders
from registry.payments.gateways import Checkout, CheckoutRequest, GatewayError
from tests.conftest import build_app

SECRET = "whsec_test_secret"  # the `settings` fixture's webhook secret
PRICE = 49900


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def stripe_signature(payload: bytes, secret: str = SECRET, timestamp: int | None = None) -> str:
    """The header Stripe sends: t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>">."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


_event_numbers = itertools.count(1)


def event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{secrets.token_hex(8)}_{next(_event_numbers)}",
        "object": "event",
        "api_version": "2025-01-27",
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


def checkout_object(order: Any, **changes: Any) -> dict[str, Any]:
    """A Checkout Session as Stripe shows it for an order (paid unless changed)."""
    obj = {
        "id": order.checkout_session_id,
        "object": "checkout.session",
        "client_reference_id": str(order.id),
        "amount_total": order.amount_paise,
        "currency": "inr",
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": f"pi_{order.id}_{secrets.token_hex(4)}",
        "metadata": {"order_id": str(order.id)},
    }
    obj.update(changes)
    return obj


def intent_object(order: Any, **changes: Any) -> dict[str, Any]:
    obj = {
        "id": f"pi_{order.id}_{secrets.token_hex(4)}",
        "object": "payment_intent",
        "amount": order.amount_paise,
        "amount_received": order.amount_paise,
        "currency": "inr",
        "status": "succeeded",
        "metadata": {"order_id": str(order.id)},
    }
    obj.update(changes)
    return obj


def charge_object(order: Any, intent_id: str, **changes: Any) -> dict[str, Any]:
    """A charge refunded in full, as `charge.refunded` shows it: made by the order's
    PaymentIntent, whose metadata Stripe copies onto the charge when it is confirmed."""
    obj = {
        "id": f"ch_{secrets.token_hex(8)}",
        "object": "charge",
        "amount": order.amount_paise,
        "amount_refunded": order.amount_paise,
        "currency": "inr",
        "payment_intent": intent_id,
        "metadata": {"order_id": str(order.id)},
        "refunded": True,
        "refunds": {
            "object": "list",
            "data": [{"id": f"re_{secrets.token_hex(8)}", "amount": order.amount_paise}],
        },
    }
    obj.update(changes)
    return obj


def deliver(client: Any, evt: dict[str, Any], **signing: Any) -> Any:
    payload = json.dumps(evt).encode()
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": stripe_signature(payload, **signing)},
        content_type="application/json",
    )


@dataclass
class FakeGateway:
    """A keyed gateway whose server-side truth the test decides: `sessions` and `intents`
    are what retrieving them answers."""

    keyed: bool = True
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)
    fail: bool = False

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        if self.fail:
            raise GatewayError("The payment gateway refused: card network down")
        session_id = f"cs_fake_{secrets.token_hex(8)}"
        self.sessions[session_id] = {
            "id": session_id,
            "client_reference_id": str(request.order_id),
            "amount_total": request.amount_paise,
            "currency": "inr",
            "status": "open",
            "payment_status": "unpaid",
            "payment_intent": None,
            "url": f"https://checkout.example/{session_id}",
        }
        return Checkout(session_id, f"https://checkout.example/{session_id}")

    def retrieve_checkout(self, session_id: str) -> dict[str, Any]:
        self.retrieved.append(session_id)
        if session_id not in self.sessions:
            raise GatewayError("No such checkout session")
        return dict(self.sessions[session_id])

    def retrieve_intent(self, intent_id: str) -> dict[str, Any]:
        self.retrieved.append(intent_id)
        if intent_id not in self.intents:
            raise GatewayError("No such payment intent")
        return dict(self.intents[intent_id])

    def refund(self, intent_id: str, idempotency_key: str) -> str:
        if self.fail:
            raise GatewayError("The payment gateway refused: refund failed")
        self.refunds.append(intent_id)
        return f"re_{len(self.refunds)}"

    def list_events(self, since: datetime) -> list[dict[str, Any]]:
        return [e for e in self.events if e["created"] >= since.timestamp()]

    def pay(self, order: Any) -> dict[str, Any]:
        """The payer pays at the gateway: its records now say paid."""
        session = self.sessions[order.checkout_session_id]
        intent = intent_object(order)
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        self.intents[intent["id"]] = intent
        return dict(session)


@pytest.fixture
def fake_gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def keyed_settings(settings: Any) -> Any:
    return settings.but(stripe_secret_key="sk_test_fake")


@pytest.fixture
def keyed_app(keyed_settings: Any, session_factory: Any, fake_gateway: FakeGateway) -> Flask:
    """The app as in production: a gateway key, so events are confirmed with the gateway."""
    return build_app(
        keyed_settings, session_factory, WTF_CSRF_ENABLED=False, PAYMENT_GATEWAY=fake_gateway
    )


@pytest.fixture
def keyed_client(keyed_app: Flask) -> Any:
    return keyed_app.test_client()


# -- data -------------------------------------------------------------------------------

_pan_numbers = itertools.count(1000)


def new_pan(kind: str = "F") -> str:
    n = next(_pan_numbers)
    return f"ZZP{kind}{chr(65 + n % 26)}{n:04d}{chr(65 + (n * 7) % 26)}"


@pytest.fixture
def make_business(db: Any) -> Any:
    def make(
        name: str = "Balaji Enterprises",
        pan: str | None = None,
        states: tuple[str, ...] = ("27",),
        city: str = "Pune",
        state: str = "Maharashtra",
        aliases: tuple[str, ...] = (),
        with_pan: bool = True,
    ) -> Business:
        pan = pan or new_pan()
        business = Business(name=name, pan=pan if with_pan else None, city=city, state=state)
        db.add(business)
        db.flush()
        for code in states:
            db.add(BusinessGstin(gstin=gstin_for(code, pan), business_id=business.id))
        for alias in aliases:
            db.add(BusinessAlias(name=alias, business_id=business.id, source="import"))
        db.flush()
        return business

    return make


@pytest.fixture
def make_complaint(db: Any) -> Any:
    """A complaint in a given state, its invoices given as (days overdue, amount, paid);
    `listed_days_ago=None`: never listed (disputed or settled in its notice period)."""

    def make(
        reporter: User,
        business: Business,
        status: ComplaintStatus = ComplaintStatus.LISTED,
        invoices: tuple[tuple[int, int, int], ...] = ((60, 1_000_000, 0),),
        listed_days_ago: int | None = 30,
        closed_days_ago: int | None = None,
    ) -> Complaint:
        now = utcnow()
        today = date.today()
        complaint = Complaint(
            member_id=reporter.member_id,
            business_id=business.id,
            status=status,
            amount_outstanding_paise=sum(amount - paid for _, amount, paid in invoices),
            listed_at=None if listed_days_ago is None else now - timedelta(days=listed_days_ago),
            closed_at=None if closed_days_ago is None else now - timedelta(days=closed_days_ago),
        )
        db.add(complaint)
        db.flush()
        for number, (overdue, amount, paid) in enumerate(invoices, start=1):
            due = today - timedelta(days=overdue)
            db.add(
                Invoice(
                    complaint_id=complaint.id,
                    member_id=reporter.member_id,
                    business_id=business.id,
                    number=f"INV-{complaint.id}-{number}",
                    number_key=f"INV-{complaint.id}-{number}",
                    invoice_date=due - timedelta(days=30),
                    due_date=due,
                    amount_paise=amount,
                    paid_paise=paid,
                )
            )
        db.flush()
        db.expire(complaint, ["invoices"])
        return complaint

    return make


@pytest.fixture
def start_order(db: Any) -> Any:
    """A pending order started through the service, as the portal and the API do."""

    def start(gateway: Any, user: User, business: Business) -> orders.StartedOrder:
        return orders.start_order(
            db,
            gateway,
            Actor.of(user),
            business.id,
            price_paise=PRICE,
            success_url="http://localhost/reports/return?session_id={CHECKOUT_SESSION_ID}",
            cancel_url="http://localhost/reports",
        )

    return start


# -- localstripe -------------------------------------------------------------------------

LOCALSTRIPE = """
import sys
import aiohttp.web
import localstripe.resources
import localstripe.server

# Keep its state in memory: by default it pickles every change to /tmp.
localstripe.resources.Store.dump_to_disk = lambda self: None
aiohttp.web.run_app(localstripe.server.app, host="127.0.0.1", port=int(sys.argv[1]),
                    print=None, access_log=None)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """A localstripe server on 127.0.0.1 for the whole session, stopped by its pid."""
    pytest.importorskip("localstripe", reason="localstripe is not installed")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", LOCALSTRIPE, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _out, err = process.communicate()
                pytest.fail(f"localstripe did not start: {err.decode()[-2000:]}")
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr is not None:
        process.stderr.close()
