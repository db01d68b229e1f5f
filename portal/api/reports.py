"""Report orders and paid reports (API.md: /reports/orders, /reports/{business_id})."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for

from portal.api import bp
from portal.api.errors import ApiError
from portal.api.keys import SECURITY, api_actor, api_member_id, key_required
from portal.api.schemas import (
    OrderIn,
    OrderOut,
    ReportOut,
    ReportVerified,
)
from portal.database import db
from portal.extensions import limiter
from portal.reports import checkout
from portal.reports.invoices import invoice_response
from registry.members import api_keys
from registry.models import ReportOrder, utcnow
from registry.payments import orders, tax_invoices
from registry.payments.gateways import GatewayError
from registry.reports import credit_report, inquiries, versions

#: Checking verification codes is public: limited per address so codes cannot be trawled.
VERIFY_LIMIT = "20 per minute"


def order_out(order: ReportOrder, **extra: Any) -> dict[str, Any]:
    fields_ = ("id", "business_id", "amount_paise", "currency", "checkout_session_id")
    dates = ("created_at", "expires_at", "paid_at", "refunded_at")
    return {
        **{name: getattr(order, name) for name in fields_ + dates},
        "status": order.status.value,
        "report_readable_until": credit_report.readable_until(order),
        **extra,
    }


def gateway_failed(exc: GatewayError) -> ApiError:
    return ApiError(502, "gateway_error", exc.message)


@bp.route("/reports/orders", methods=["POST"])
@key_required(api_keys.REPORTS)
@bp.arguments(OrderIn)
@bp.response(201, OrderOut)
@bp.alt_response(404, description="No such business.")
@bp.alt_response(502, description="The payment gateway refused or is unreachable.")
@bp.doc(security=SECURITY)
def create_order(data: dict[str, Any]) -> dict[str, Any]:
    """Start buying a report: pay at `checkout_url`; the report unlocks when the gateway
    confirms the payment."""
    api_member_id()
    try:
        started = checkout.start(api_actor(), data["business_id"])
    except GatewayError as exc:
        raise gateway_failed(exc) from exc
    return order_out(started.order, checkout_url=started.checkout_url)


@bp.route("/reports/orders/<int:order_id>")
@bp.response(200, OrderOut)
@bp.doc(security=SECURITY)
@key_required(api_keys.REPORTS)
def get_order(order_id: int) -> dict[str, Any]:
    """One of your orders."""
    order = orders.get_for_member(db(), order_id, api_member_id())
    if order is None:
        raise ApiError(404, "not_found", f"No order {order_id} of yours.")
    return order_out(order)


@bp.route("/reports/<int:business_id>")
@bp.response(200, ReportOut)
@bp.alt_response(402, description="No paid, unrefunded order under 30 days old.")
@bp.alt_response(404, description="No such business.")
@bp.doc(security=SECURITY)
@key_required(api_keys.REPORTS)
def get_report(business_id: int) -> dict[str, Any]:
    """The report you paid for (paid, not refunded, under 30 days old); 402 otherwise.
    When the registry's report has changed since your version, `superseded` is true and
    `current_version_url` opens the current version, free while the order is readable."""
    now = utcnow()
    try:
        order, content = credit_report.report_for_member(db(), api_member_id(), business_id, now)
    except credit_report.PaymentRequired as exc:
        raise ApiError(402, "payment_required", exc.message, business_id=business_id) from exc
    inquiries.record_pull(db(), order.member_id, order.business_id, "api", now, order.id)
    return report_out(order, content)


def report_out(order: ReportOrder, content: credit_report.CreditReport) -> dict[str, Any]:
    fresh = versions.freshness(db(), order, content, utcnow())
    current = url_for("api.get_current_report", business_id=order.business_id)
    return {
        **content,
        "order_id": order.id,
        "readable_until": credit_report.readable_until(order),
        "version": fresh.version.version,
        "verification_code": versions.shown_code(fresh.version.code),
        "superseded": fresh.superseded,
        "current_version_url": current if fresh.superseded else None,
    }


@bp.route("/reports/<int:business_id>/current")
@bp.response(200, ReportOut)
@bp.alt_response(402, description="No paid, unrefunded order under 30 days old.")
@bp.alt_response(404, description="No such business.")
@bp.doc(security=SECURITY)
@key_required(api_keys.REPORTS)
def get_current_report(business_id: int) -> dict[str, Any]:
    """The current version of a report you paid for, free while your order is readable: a
    new version (with its own verification code) when the report has changed since yours."""
    now = utcnow()
    try:
        order, _content = credit_report.report_for_member(db(), api_member_id(), business_id, now)
    except credit_report.PaymentRequired as exc:
        raise ApiError(402, "payment_required", exc.message, business_id=business_id) from exc
    content = versions.open_current(db(), order, now)
    assert content is not None  # report_for_member found it readable
    inquiries.record_pull(db(), order.member_id, order.business_id, "api", now, order.id)
    return report_out(order, content)


@bp.route("/reports/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
@bp.response(200, ReportVerified)
def verify_report(code: str) -> dict[str, Any]:
    """Public: whether a report's verification code is one the registry issued, and if so
    the business's name, the version's date and whether a newer report says otherwise.
    Nothing else of the report. An unknown code answers `{"valid": false}` only."""
    found = versions.verify(db(), code, utcnow())
    if found is None:
        return {"valid": False}
    return {
        "valid": True,
        "business_name": found.business_name,
        "generated_at": found.generated_at,
        "version": found.version,
        "superseded": found.superseded,
    }


@bp.route("/reports/orders/<int:order_id>/invoice")
@bp.doc(
    security=SECURITY,
    responses={
        "200": {
            "description": "The order's GST tax invoice (and its credit note once refunded).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
@bp.alt_response(402, description="The order has not been paid: no tax invoice yet.")
@bp.alt_response(404, description="No such order of yours.")
@key_required(api_keys.REPORTS)
def get_invoice(order_id: int) -> Response:
    """The GST tax invoice of a paid order as a PDF; a refunded order's also carries the
    credit note."""
    order = orders.get_for_member(db(), order_id, api_member_id())
    if order is None:
        raise ApiError(404, "not_found", f"No order {order_id} of yours.")
    documents = tax_invoices.documents_of(db(), order_id)
    if not documents:
        raise ApiError(
            402, "payment_required", f"Order {order_id} has not been paid: no tax invoice yet."
        )
    return invoice_response(documents)
