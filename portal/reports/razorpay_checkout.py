"""Razorpay's hosted checkout, reached through a page of ours (the order's `checkout_url`).

Like Stripe's page it needs no login: Razorpay's order id in the address is the
capability. The page shows the order and the warning, and posts to Razorpay's hosted
checkout; Razorpay sends the buyer back to `/checkout/razorpay/return` with a signed
answer, and the order is then read again from Razorpay before anything unlocks (the
webhook does the same, whichever comes first).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.database import db, settings
from portal.i18n import say
from portal.security import allow_form_action
from portal.webhooks import current_gateway
from registry.models import ReportOrder
from registry.payments import fulfilment
from registry.payments.gateways import GatewayError
from registry.payments.razorpay_gateway import HOSTED_CHECKOUT, RazorpayGateway, verify_return
from registry.settings import PRODUCT_NAME

bp = Blueprint("razorpay_checkout", __name__, url_prefix="/checkout/razorpay")


def _razorpay() -> RazorpayGateway:
    gateway = current_gateway()
    if not isinstance(gateway, RazorpayGateway):
        abort(404)
    return gateway


def _order(session_id: str) -> ReportOrder:
    order = db().scalar(select(ReportOrder).where(ReportOrder.checkout_session_id == session_id))
    if order is None:
        abort(404)
    return order


@bp.get("/<session_id>")
def checkout_page(session_id: str) -> Response:
    gateway = _razorpay()
    order = _order(session_id)
    base = settings().public_base_url
    fields = gateway.hosted_checkout_fields(
        session_id,
        order.amount_paise,
        PRODUCT_NAME,
        f"Credit report, order #{order.id}",
        callback_url=f"{base}{url_for('razorpay_checkout.returned')}",
        cancel_url=f"{base}{url_for('reports.order_page', order_id=order.id)}",
    )
    page = render_template(
        "reports/razorpay_checkout.html", order=order, fields=fields, action=HOSTED_CHECKOUT
    )
    return allow_form_action(Response(page, mimetype="text/html"), HOSTED_CHECKOUT)


@bp.post("/return")
def returned() -> Response:
    """Razorpay sends the buyer back here (a cross-site post: no session, no CSRF token;
    its signature and a fresh read of the order from Razorpay are what count)."""
    gateway = _razorpay()
    order_id = request.form.get("razorpay_order_id", "")
    payment_id = request.form.get("razorpay_payment_id", "")
    signature = request.form.get("razorpay_signature", "")
    order = db().scalar(select(ReportOrder).where(ReportOrder.checkout_session_id == order_id))
    if order is None:
        abort(404)
    key_secret = settings().razorpay_key_secret or ""
    if payment_id and verify_return(order_id, payment_id, signature, key_secret):
        try:
            checkout = gateway.retrieve_checkout(order_id)
            fulfilment.fulfil(
                db(), gateway, checkout, trusted=True, source="razorpay checkout return"
            )
        except GatewayError:
            flash(say("The gateway could not be reached to confirm the payment; check again soon."))
    else:
        flash(say("The payment was not completed. You can try again."), "error")
    return redirect(url_for("reports.order_page", order_id=order.id), 303)
