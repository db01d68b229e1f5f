"""Starting a checkout from the portal or the API: the same order, the same return page."""

from __future__ import annotations

from flask import url_for

from portal.database import db, settings
from portal.webhooks import current_gateway
from registry.actors import Actor
from registry.payments import orders
from registry.payments.gateways import SESSION_PLACEHOLDER


def start(actor: Actor, business_id: int) -> orders.StartedOrder:
    """A pending order for a report, with its checkout at the gateway. The gateway sends
    the payer back to the return page with the session id (Stripe fills in the
    placeholder, which must stay unescaped)."""
    success_url = _absolute("reports.checkout_return")
    return orders.start_order(
        db(),
        current_gateway(),
        actor,
        business_id,
        price_paise=settings().report_price_paise,
        success_url=f"{success_url}?session_id={SESSION_PLACEHOLDER}",
        cancel_url=_absolute("reports.orders"),
    )


def _absolute(endpoint: str) -> str:
    """Always on `PUBLIC_BASE_URL`, never on the request's Host header: a client could
    name any host there and have the gateway (the test gateway too) send the payer to
    it. (`make run` sets `PUBLIC_BASE_URL` to the port it serves on.)"""
    return settings().public_base_url + url_for(endpoint)
