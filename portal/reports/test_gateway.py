"""The local test gateway's hosted checkout page (API.md, "The local test gateway").

Only there when the app runs without `STRIPE_SECRET_KEY`. Like Stripe's page it needs no
login: the session id in the address is the capability, and it can be used once.
Submitting it makes the test gateway sign the events Stripe would send, and they go
through the webhook's own `receive()`.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template
from werkzeug.wrappers import Response

from portal.database import db, settings
from portal.reports.forms import TestCheckoutForm
from portal.webhooks import current_gateway, receive
from registry.payments.gateways import GatewayError, TestGateway

bp = Blueprint("test_gateway", __name__, url_prefix="/test-gateway")


def _test_gateway() -> TestGateway:
    gateway = current_gateway()
    if not isinstance(gateway, TestGateway):
        abort(404)
    return gateway


def _page(gateway: TestGateway, session_id: str, form: TestCheckoutForm, error: str = "") -> str:
    try:
        checkout = gateway.retrieve_checkout(session_id)
    except GatewayError:
        abort(404)
    return render_template(
        "reports/test_checkout.html",
        checkout=checkout,
        payable=gateway.is_open(checkout),
        form=form,
        error=error,
    )


@bp.get("/checkout/<session_id>")
def checkout_page(session_id: str) -> str:
    return _page(_test_gateway(), session_id, TestCheckoutForm(formdata=None))


@bp.post("/checkout/<session_id>")
def checkout_submit(session_id: str) -> Response | tuple[str, int]:
    gateway = _test_gateway()
    form = TestCheckoutForm()
    if not form.validate_on_submit():
        return _page(gateway, session_id, form, "Choose Pay or Fail."), 422
    try:
        completion = gateway.complete(session_id, str(form.outcome.data))
    except GatewayError as exc:
        return _page(gateway, session_id, form, exc.message), 409
    secret = settings().stripe_webhook_secret
    for delivery in completion.deliveries:
        receive(db(), gateway, secret, delivery.payload, delivery.signature)
    return redirect(completion.return_url, 303)
