"""Razorpay behind the same `PaymentGateway` interface as Stripe, through the official
`razorpay` library: UPI, RuPay cards and netbanking, the way Indian buyers pay.

Each report order gets a Razorpay order (amount in paise, `receipt` = our order id, and the
order id again in `notes`); the buyer pays on Razorpay's hosted checkout, reached through a
page of ours (`checkout_url`) that shows the order and posts to Razorpay. What Razorpay
says is translated here into the Stripe-shaped dicts fulfilment reads (`id`,
`client_reference_id`, `payment_status`, `payment_intent`, ...), so there is still exactly
one place an order becomes paid, and it re-reads the order or payment from Razorpay
before it does (a webhook alone never unlocks anything).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

import razorpay
from razorpay.errors import BadRequestError, ServerError
from razorpay.errors import GatewayError as RazorpayError
from requests import RequestException

from registry.payments.gateways import Checkout, CheckoutRequest, GatewayError

#: Razorpay's hosted checkout: our page posts the order to it.
HOSTED_CHECKOUT = "https://api.razorpay.com/v1/checkout/embedded"
#: Events fulfilment handles (API.md, "Gateways and their webhooks").
HANDLED = frozenset({"payment.captured", "order.paid", "payment.failed", "refund.processed"})


def verify_webhook(body: bytes, signature: str | None, secret: str) -> bool:
    """`X-Razorpay-Signature`: HMAC-SHA256 of the raw body with the webhook secret, checked
    by the library's own verifier."""
    if not signature:
        return False
    try:
        razorpay.Client(auth=("", "")).utility.verify_webhook_signature(
            body.decode("utf-8"), signature, secret
        )
    except (razorpay.errors.SignatureVerificationError, UnicodeDecodeError):
        return False
    return True


def sign_webhook(body: bytes, secret: str) -> str:
    """What Razorpay puts in `X-Razorpay-Signature` (for the tests' stand-in)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_return(order_id: str, payment_id: str, signature: str, key_secret: str) -> bool:
    """The signature the hosted checkout gives the buyer's browser on its way back:
    HMAC-SHA256 of "<order id>|<payment id>" with the key secret. It proves Razorpay sent
    the buyer back; the order is still re-read from Razorpay before anything unlocks."""
    try:
        razorpay.Client(auth=("", key_secret)).utility.verify_payment_signature(
            {
                "razorpay_order_id": order_id,
                "razorpay_payment_id": payment_id,
                "razorpay_signature": signature,
            }
        )
    except razorpay.errors.SignatureVerificationError:
        return False
    return True


class RazorpayGateway:
    """Razorpay orders, payments and refunds. `keyed`: every event is confirmed with
    Razorpay before it unlocks a report."""

    keyed = True

    def __init__(
        self,
        key_id: str,
        key_secret: str,
        checkout_page: str,
        api_base: str | None = None,
        client: Any | None = None,
    ) -> None:
        self.key_id = key_id
        self.key_secret = key_secret
        #: Our page that posts an order to Razorpay's hosted checkout ("{session_id}" is
        #: Razorpay's order id: unguessable, so the address is the capability, as Stripe's is).
        self.checkout_page = checkout_page
        self.client = client or razorpay.Client(auth=(key_id, key_secret))
        if api_base:
            self.client.base_url = api_base.rstrip("/")

    def _call(self, what: str, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except (BadRequestError, RazorpayError, ServerError, RequestException, ValueError) as exc:
            raise GatewayError(f"Razorpay refused to {what}: {exc}") from exc

    # -- PaymentGateway -------------------------------------------------------------------

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        order = self._call(
            "create an order",
            self.client.order.create,
            {
                "amount": request.amount_paise,
                "currency": request.currency.upper(),
                "receipt": str(request.order_id),
                "notes": {"order_id": str(request.order_id), "description": request.description},
            },
        )
        return Checkout(str(order["id"]), self.checkout_page.format(session_id=order["id"]))

    def retrieve_checkout(self, session_id: str) -> dict[str, Any]:
        """A Razorpay order as fulfilment reads a checkout session."""
        order = self._call("read an order", self.client.order.fetch, session_id)
        captured = None
        if order.get("status") == "paid" or order.get("amount_paid"):
            payments = self._call(
                "list an order's payments", self.client.order.payments, session_id
            )
            captured = next(
                (p for p in payments.get("items", []) if p.get("status") == "captured"), None
            )
        paid = order.get("status") == "paid" and captured is not None
        return {
            "id": order["id"],
            "object": "razorpay.order",
            "client_reference_id": str(order.get("receipt") or ""),
            "amount_total": order.get("amount_paid") if paid else order.get("amount"),
            "currency": str(order.get("currency", "")).lower(),
            "status": "complete" if paid else "open",
            "payment_status": "paid" if paid else "unpaid",
            "payment_intent": captured["id"] if captured else None,
            "url": self.checkout_page.format(session_id=order["id"]),
        }

    def retrieve_intent(self, intent_id: str) -> dict[str, Any]:
        """A Razorpay payment as fulfilment reads a payment intent; its order's `receipt`
        names our order."""
        payment = self._call("read a payment", self.client.payment.fetch, intent_id)
        receipt = ""
        if payment.get("order_id"):
            order = self._call("read an order", self.client.order.fetch, payment["order_id"])
            receipt = str(order.get("receipt") or "")
        return {
            "id": payment["id"],
            "object": "razorpay.payment",
            "status": "succeeded" if payment.get("status") == "captured" else payment.get("status"),
            "amount_received": payment.get("amount"),
            "currency": str(payment.get("currency", "")).lower(),
            "metadata": {"order_id": receipt},
            "order_id": payment.get("order_id"),
        }

    def refund(self, intent_id: str, idempotency_key: str) -> str:
        refund = self._call(
            "refund a payment",
            self.client.payment.refund,
            intent_id,
            {"receipt": idempotency_key[:40], "notes": {"idempotency_key": idempotency_key}},
        )
        return str(refund["id"])

    def list_events(self, since: datetime) -> list[dict[str, Any]]:
        """Razorpay keeps no list of webhook events; reconciliation reads the payments made
        since `since` and presents each captured one as the `payment.captured` event it
        would have sent (id `reconcile:<payment id>`), oldest first."""
        listed = self._call(
            "list payments",
            self.client.payment.all,
            {"from": int(since.timestamp()), "count": 100},
        )
        events = []
        for payment in sorted(listed.get("items", []), key=lambda p: p.get("created_at", 0)):
            if payment.get("status") != "captured":
                continue
            events.append(
                {
                    "id": f"reconcile:{payment['id']}",
                    "type": "payment.captured",
                    "created": payment.get("created_at", 0),
                    "data": {"object": payment},
                }
            )
        return events

    # -- the hosted checkout --------------------------------------------------------------

    def hosted_checkout_fields(
        self,
        razorpay_order_id: str,
        amount_paise: int,
        name: str,
        description: str,
        callback_url: str,
        cancel_url: str,
    ) -> dict[str, str]:
        """The form our checkout page posts to Razorpay's hosted checkout."""
        return {
            "key_id": self.key_id,
            "order_id": razorpay_order_id,
            "amount": str(amount_paise),
            "currency": "INR",
            "name": name,
            "description": description,
            "callback_url": callback_url,
            "cancel_url": cancel_url,
        }


def event_of(body: dict[str, Any], event_id: str) -> dict[str, Any]:
    """A Razorpay webhook as the one event shape fulfilment stores and handles:
    `{"id", "type", "data": {"object"}}`, the object being the entity the event is about
    (the order for `order.paid`, the refund for `refund.processed`, else the payment)."""
    kind = str(body.get("event", ""))
    payload = body.get("payload") or {}
    entity_name = {"order.paid": "order", "refund.processed": "refund"}.get(kind, "payment")
    entity = (payload.get(entity_name) or {}).get("entity") or {}
    return {
        "id": event_id,
        "type": kind,
        "created": body.get("created_at", 0),
        "data": {"object": entity},
    }
