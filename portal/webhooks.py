"""`POST /webhooks/stripe` and `POST /webhooks/razorpay`: the gateways' signed events
(API.md, "Gateways and their webhooks").

The view only checks the signature and hands the event to `registry.payments.fulfilment`. The local
test gateway delivers its events through `receive()` too, so the handler cannot tell
them from Stripe's.
"""

from __future__ import annotations

import json
from typing import Any

import stripe
from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.orm import Session

from portal.database import db, settings
from registry.payments import fulfilment, razorpay_gateway
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


@bp.post("/razorpay")
def razorpay_events() -> tuple[Response, int]:
    """Razorpay's signed events (`X-Razorpay-Signature`, stored by `x-razorpay-event-id`)."""
    body, status = receive_razorpay(
        db(),
        current_gateway(),
        settings().razorpay_webhook_secret or "",
        request.get_data(),
        request.headers.get("X-Razorpay-Signature"),
        request.headers.get("x-razorpay-event-id"),
    )
    return jsonify(body), status


def receive_razorpay(
    session: Session,
    gateway: PaymentGateway,
    secret: str,
    payload: bytes,
    signature: str | None,
    event_id: str | None,
) -> tuple[dict[str, Any], int]:
    """As `receive`, for Razorpay: a bad signature or a missing event id changes nothing."""
    if not secret or not razorpay_gateway.verify_webhook(payload, signature, secret):
        error = {"code": "bad_signature", "message": "The signature does not verify."}
        return {"error": error}, 400
    try:
        body = json.loads(payload)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not event_id:
        error = {"code": "validation", "message": "An event needs a JSON body and an event id."}
        return {"error": error}, 400
    event = razorpay_gateway.event_of(body, event_id)
    try:
        outcome = fulfilment.accept_event(session, gateway, event, payload.decode())
    except GatewayError as exc:
        return {"error": {"code": "gateway_error", "message": exc.message}}, 503
    return {"received": True, "outcome": outcome.text}, 200
