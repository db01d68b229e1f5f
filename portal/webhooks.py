"""`POST /webhooks/stripe`: the gateway's signed events (API.md, "Gateway webhook").

The view only checks the signature and hands the event to `registry.payments.fulfilment`. The local
test gateway delivers its events through `receive()` too, so the handler cannot tell
them from Stripe's.
"""

from __future__ import annotations

from typing import Any

import stripe
from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.orm import Session

from portal.database import db, settings
from registry.payments import fulfilment
from registry.payments.gateways import GatewayError, PaymentGateway

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


def current_gateway() -> PaymentGateway:
    """The gateway `create_app` chose from the configuration."""
    gateway: PaymentGateway = current_app.extensions["gateway"]
    return gateway


def receive(
    session: Session, gateway: PaymentGateway, secret: str, payload: bytes, signature: str | None
) -> tuple[dict[str, Any], int]:
    """Verify a raw body against its `Stripe-Signature` header, then store and handle the
    event. A bad or stale signature changes nothing (400); a gateway that cannot be
    reached to confirm a payment answers 503, so the gateway delivers the event again."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError):
        error = {"code": "bad_signature", "message": "The signature does not verify."}
        return {"error": error}, 400
    try:
        outcome = fulfilment.accept_event(session, gateway, event.to_dict(), payload.decode())
    except GatewayError as exc:
        return {"error": {"code": "gateway_error", "message": exc.message}}, 503
    return {"received": True, "outcome": outcome.text}, 200


@bp.post("/stripe")
def stripe_events() -> tuple[Response, int]:
    body, status = receive(
        db(),
        current_gateway(),
        settings().stripe_webhook_secret,
        request.get_data(),
        request.headers.get("Stripe-Signature"),
    )
    return jsonify(body), status
