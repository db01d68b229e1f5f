"""The payment gateway: one interface, two implementations chosen by configuration.

`StripeGateway` talks to Stripe (or a Stripe-compatible server at `STRIPE_API_BASE`).
`TestGateway` stands in for it on a machine without keys: its checkout page is a page of
this app, and paying there produces the very events Stripe would send, signed with
`STRIPE_WEBHOOK_SECRET` exactly as Stripe signs them, for the same webhook handler.

Everything crossing this interface is a plain dict shaped like Stripe's objects, so the
fulfilment code never depends on the `stripe` library's classes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin

import stripe

from registry.errors import RegistryError
from registry.models import utcnow
from registry.settings import Settings

#: What Stripe substitutes into a success URL; the return page reads the session id from it.
SESSION_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"


class GatewayError(RegistryError):
    """The gateway refused a request or could not be reached."""

    code = "gateway_error"


@dataclass(frozen=True)
class CheckoutRequest:
    order_id: int
    amount_paise: int
    currency: str
    description: str
    expires_at: datetime
    idempotency_key: str
    success_url: str
    cancel_url: str


@dataclass(frozen=True)
class Checkout:
    id: str
    url: str


class PaymentGateway(Protocol):
    #: True when a webhook event alone must not unlock anything: the handler re-reads the
    #: session or intent from the gateway first (a real key can do that; a test one can't).
    keyed: bool

    def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    def retrieve_checkout(self, session_id: str) -> dict[str, Any]: ...

    def retrieve_intent(self, intent_id: str) -> dict[str, Any]: ...

    def refund(self, intent_id: str, idempotency_key: str) -> str:
        """Refund a payment in full; returns the gateway's refund id."""
        ...

    def list_events(self, since: datetime) -> list[dict[str, Any]]:
        """Events the gateway sent since a moment, oldest first."""
        ...


def gateway_for(settings: Settings) -> PaymentGateway:
    """Razorpay when chosen, Stripe when a key is configured, the local test gateway
    otherwise (`PAYMENT_GATEWAY`)."""
    if settings.payment_gateway == "razorpay":
        from registry.payments.razorpay_gateway import RazorpayGateway

        return RazorpayGateway(
            settings.razorpay_key_id or "",
            settings.razorpay_key_secret or "",
            checkout_page=f"{settings.public_base_url}/checkout/razorpay/{{session_id}}",
            api_base=settings.razorpay_api_base,
        )
    if settings.stripe_secret_key:
        return StripeGateway(settings.stripe_secret_key, settings.stripe_api_base)
    return TestGateway(settings.stripe_webhook_secret, settings.instance_path / "test_gateway")


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """A `Stripe-Signature` header: HMAC-SHA256 of "<timestamp>.<payload>" with the secret."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class StripeGateway:
    """Stripe Checkout, through the official library. A client of its own (not the
    library's global settings), so two configurations can live in one process."""

    keyed = True

    def __init__(
        self, secret_key: str, api_base: str | None = None, client: Any | None = None
    ) -> None:
        self.client = client or stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2,
        )

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        metadata = {"order_id": str(request.order_id)}
        params: Any = {
            "mode": "payment",
            "client_reference_id": str(request.order_id),
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_paise,
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "expires_at": int(request.expires_at.timestamp()),
        }
        session = self._call(
            lambda: self.client.v1.checkout.sessions.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        )
        return Checkout(id=str(session.id), url=str(session.url))

    def retrieve_checkout(self, session_id: str) -> dict[str, Any]:
        return self._dict(lambda: self.client.v1.checkout.sessions.retrieve(session_id))

    def retrieve_intent(self, intent_id: str) -> dict[str, Any]:
        return self._dict(lambda: self.client.v1.payment_intents.retrieve(intent_id))

    def refund(self, intent_id: str, idempotency_key: str) -> str:
        refund = self._call(
            lambda: self.client.v1.refunds.create(
                {"payment_intent": intent_id}, {"idempotency_key": idempotency_key}
            )
        )
        return str(refund.id)

    def list_events(self, since: datetime) -> list[dict[str, Any]]:
        def fetch() -> list[dict[str, Any]]:
            page = self.client.v1.events.list(
                {"created": {"gte": int(since.timestamp())}, "limit": 100}
            )
            return [event.to_dict() for event in page.auto_paging_iter()]

        events: list[dict[str, Any]] = self._call(fetch)
        return sorted(events, key=lambda event: int(event.get("created") or 0))

    @staticmethod
    def _call(action: Callable[[], Any]) -> Any:
        try:
            return action()
        except stripe.StripeError as exc:
            message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
            raise GatewayError(f"The payment gateway refused: {message}") from exc

    def _dict(self, action: Callable[[], Any]) -> dict[str, Any]:
        found: dict[str, Any] = self._call(action).to_dict()
        return found


_TEST_ID = re.compile(r"^(cs|pi|ch|re|evt)_test_[A-Za-z0-9]{24}$")


def _new_id(prefix: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return f"{prefix}_test_" + "".join(secrets.choice(alphabet) for _ in range(24))


@dataclass(frozen=True)
class SignedEvent:
    payload: bytes
    signature: str


@dataclass(frozen=True)
class Completion:
    """What the test checkout page does after a submit: deliver these, then go there."""

    deliveries: list[SignedEvent]
    return_url: str


class TestGateway:
    """The local stand-in for Stripe (API.md, "The local test gateway").

    Its state lives in files under `instance/test_gateway/`, like a service of its own:
    every web worker sees it, and it is not rolled back with the app's transactions.
    """

    __test__ = False  # not a pytest class
    keyed = False

    def __init__(
        self,
        webhook_secret: str,
        directory: Path,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.secret = webhook_secret
        self.directory = directory
        self.clock = clock

    # -- the gateway interface ------------------------------------------------------------

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        session_id = _new_id("cs")
        url = urljoin(request.success_url, f"/test-gateway/checkout/{session_id}")
        self._write(
            session_id,
            {
                "id": session_id,
                "object": "checkout.session",
                "client_reference_id": str(request.order_id),
                "amount_total": request.amount_paise,
                "currency": request.currency.lower(),
                "description": request.description,
                "status": "open",
                "payment_status": "unpaid",
                "payment_intent": None,
                "metadata": {"order_id": str(request.order_id)},
                "created": self._now(),
                "expires_at": int(request.expires_at.timestamp()),
                "success_url": request.success_url,
                "cancel_url": request.cancel_url,
                "url": url,
            },
        )
        return Checkout(id=session_id, url=url)

    def retrieve_checkout(self, session_id: str) -> dict[str, Any]:
        return self._read(session_id, "checkout session")

    def retrieve_intent(self, intent_id: str) -> dict[str, Any]:
        return self._read(intent_id, "payment intent")

    def refund(self, intent_id: str, idempotency_key: str) -> str:
        intent = self._read(intent_id, "payment intent")
        charge = self._read(str(intent["latest_charge"]), "charge")
        if charge["refunded"]:
            return str(charge["refunds"]["data"][0]["id"])
        refund = {"id": _new_id("re"), "object": "refund", "amount": charge["amount"]}
        charge.update(refunded=True, amount_refunded=charge["amount"])
        charge["refunds"] = {"object": "list", "data": [refund]}
        self._write(charge["id"], charge)
        self._emit("charge.refunded", charge)
        return str(refund["id"])

    def list_events(self, since: datetime) -> list[dict[str, Any]]:
        self._expire_overdue()
        log = self.directory / "events.jsonl"
        if not log.exists():
            return []
        events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        return [event for event in events if event["created"] >= int(since.timestamp())]

    # -- the hosted page --------------------------------------------------------------------

    def is_open(self, checkout: dict[str, Any]) -> bool:
        """Whether a checkout can still be paid, by this gateway's clock."""
        return bool(checkout["status"] == "open" and checkout["expires_at"] >= self._now())

    def complete(self, session_id: str, outcome: str) -> Completion:
        """The payer pressed Pay ("paid") or Fail ("failed"). Each session can be completed
        once; the answer holds the signed events Stripe would send, in its order."""
        checkout = self.retrieve_checkout(session_id)
        if not self.is_open(checkout):
            raise GatewayError("This checkout is no longer open.")
        if not self._claim(session_id):
            raise GatewayError("This checkout was already used.")
        events = []
        if outcome == "paid":
            intent = self._paid_intent(checkout)
            checkout.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            self._write(session_id, checkout)
            events.append(self._emit("checkout.session.completed", checkout))
            events.append(self._emit("payment_intent.succeeded", intent))
        else:
            checkout.update(status="complete", payment_status="unpaid")
            self._write(session_id, checkout)
            events.append(self._emit("checkout.session.completed", checkout))
            events.append(self._emit("checkout.session.async_payment_failed", checkout))
        return_url = str(checkout["success_url"]).replace(SESSION_PLACEHOLDER, session_id)
        return Completion(deliveries=[self._sign(event) for event in events], return_url=return_url)

    # -- internals -----------------------------------------------------------------------

    def _now(self) -> int:
        return int(self.clock().timestamp())

    def _paid_intent(self, checkout: dict[str, Any]) -> dict[str, Any]:
        intent_id, charge_id = _new_id("pi"), _new_id("ch")
        amount, currency = checkout["amount_total"], checkout["currency"]
        charge = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_refunded": 0,
            "currency": currency,
            "payment_intent": intent_id,
            "refunded": False,
            "refunds": {"object": "list", "data": []},
        }
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "currency": currency,
            "status": "succeeded",
            "latest_charge": charge_id,
            "metadata": dict(checkout["metadata"]),
        }
        self._write(charge_id, charge)
        self._write(intent_id, intent)
        return intent

    def _expire_overdue(self) -> None:
        """The gateway's clock: open sessions past their time expire, with their event."""
        folder = self.directory / "objects"
        if not folder.exists():
            return
        for path in sorted(folder.glob("cs_test_*.json")):
            checkout = json.loads(path.read_text())
            overdue = checkout["status"] == "open" and not self.is_open(checkout)
            if overdue and self._claim(checkout["id"]):
                checkout["status"] = "expired"
                self._write(checkout["id"], checkout)
                self._emit("checkout.session.expired", checkout)

    def _claim(self, session_id: str) -> bool:
        """Atomically mark a session used, even across processes."""
        folder = self.directory / "used"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(folder / session_id, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def _emit(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": "2025-01-27",
            "created": self._now(),
            "livemode": False,
            "type": event_type,
            "data": {"object": dict(obj)},
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / "events.jsonl").open("a") as log:
            log.write(json.dumps(event) + "\n")
        return event

    def _sign(self, event: dict[str, Any]) -> SignedEvent:
        payload = json.dumps(event, indent=2).encode()
        return SignedEvent(payload, signature_header(payload, self.secret, self._now()))

    def _path(self, object_id: str) -> Path:
        if not _TEST_ID.match(object_id):
            raise GatewayError("No such object at the test gateway.")
        return self.directory / "objects" / f"{object_id}.json"

    def _read(self, object_id: str, what: str) -> dict[str, Any]:
        path = self._path(object_id)
        if not path.exists():
            raise GatewayError(f"No such {what} at the test gateway.")
        found: dict[str, Any] = json.loads(path.read_text())
        return found

    def _write(self, object_id: str, obj: dict[str, Any]) -> None:
        path = self._path(object_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        temporary.write_text(json.dumps(obj))
        os.replace(temporary, path)
