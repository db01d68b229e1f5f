"""Members' report pages: buy, come back from the gateway, read and print. A reported
business reads its own file by claiming it (`portal.web.claims`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import once
from portal.auth import member_required, signed_in_user
from portal.database import db, settings
from portal.extensions import limiter
from portal.forms import ConfirmForm
from portal.i18n import say
from portal.pagination import paginate
from portal.reports import checkout
from portal.reports.forms import BusinessIdForm
from portal.reports.invoices import invoice_response
from portal.webhooks import current_gateway
from registry.errors import NotFound
from registry.models import Business, OrderStatus, ReportOrder, utcnow
from registry.payments import fulfilment, orders, tax_invoices
from registry.payments.gateways import GatewayError
from registry.reports import credit_report, inquiries, versions
from registry.reports.pdf import render_pdf

bp = Blueprint("reports", __name__)

#: Checking verification codes is public: limited per address so codes cannot be trawled.
VERIFY_LIMIT = "20 per minute"


def _member_id() -> int:
    member_id = signed_in_user().member_id
    assert member_id is not None  # member_required
    return member_id


def _own_order(order_id: int) -> ReportOrder:
    order = orders.get_for_member(db(), order_id, _member_id())
    if order is None:
        abort(404)
    return order


def _orders_page(form: BusinessIdForm) -> str:
    mine = select(ReportOrder).where(ReportOrder.member_id == _member_id())
    page = paginate(mine.order_by(ReportOrder.id.desc()))
    ids = {order.business_id for order in page.items}
    query = select(Business.id, Business.name).where(Business.id.in_(ids))
    names = {business_id: name for business_id, name in db().execute(query)}
    return render_template(
        "reports/orders.html", orders=page.items, page=page, names=names, form=form, now=utcnow()
    )


@bp.get("/reports", endpoint="orders")
@member_required
def orders_page() -> str:
    return _orders_page(BusinessIdForm(formdata=None))


@bp.get("/reports/buy")
@member_required
def buy_by_id() -> Response | tuple[str, int]:
    form = BusinessIdForm(formdata=request.args)
    if form.validate():
        return redirect(url_for("reports.buy", business_id=form.business_id.data))
    return _orders_page(form), 422


@bp.route("/reports/buy/<int:business_id>", methods=["GET", "POST"])
@member_required
def buy(business_id: int) -> Response | str:
    business = credit_report.survivor(db(), business_id)
    if business is None:
        abort(404)
    form = once.OnceConfirmForm()
    if form.validate_on_submit():
        began = once.begin(_member_id(), f"reports/buy/{business.id}", form.once.data)
        if isinstance(began, Response):  # ordered already with this form: the same checkout
            return began
        started = checkout.start(current_user.actor, business.id)
        once.finish(began, started.checkout_url)
        return redirect(started.checkout_url, 303)
    price = settings().report_price_paise
    return render_template("reports/buy.html", business=business, form=form, price=price)


@bp.get("/reports/return")
@member_required
def checkout_return() -> Response:
    session_id = request.args.get("session_id", "")
    try:
        order = fulfilment.order_for_return(db(), current_gateway(), _member_id(), session_id)
    except NotFound:
        abort(404)
    except GatewayError:
        flash(
            say("The gateway could not confirm the payment just now; check again shortly."), "error"
        )
        return redirect(url_for("reports.orders"))
    if credit_report.is_readable(order, utcnow()):
        flash(say("The gateway confirmed your payment. Your report is ready."), "success")
        return redirect(url_for("reports.report_page", order_id=order.id))
    return redirect(url_for("reports.order_page", order_id=order.id))


@bp.get("/reports/orders/<int:order_id>")
@member_required
def order_page(order_id: int) -> str:
    order = _own_order(order_id)
    return render_template(
        "reports/order.html",
        order=order,
        business=db().get(Business, order.business_id),
        readable=credit_report.is_readable(order, utcnow()),
        until=credit_report.readable_until(order),
        documents=tax_invoices.documents_of(db(), order.id),
        number=tax_invoices.document_number,
    )


@bp.get("/reports/orders/<int:order_id>/invoice.pdf")
@member_required
def tax_invoice(order_id: int) -> Response:
    """The order's GST tax invoice (with the credit note once refunded)."""
    order = _own_order(order_id)
    documents = tax_invoices.documents_of(db(), order.id)
    if not documents:
        page = render_template(
            "errors/error.html",
            status=402,
            title="No tax invoice yet",
            message="This order has not been paid: a tax invoice is issued with the payment.",
        )
        abort(Response(page, 402, mimetype="text/html"))
    return invoice_response(documents)


@bp.get("/reports/orders/<int:order_id>/checkout")
@member_required
def continue_checkout(order_id: int) -> Response:
    """Back to the gateway's page for an order still waiting for its payment."""
    order = _own_order(order_id)
    waiting = order.status in (OrderStatus.PENDING, OrderStatus.FAILED)
    if waiting and order.checkout_session_id:
        found = current_gateway().retrieve_checkout(order.checkout_session_id)
        if found.get("status") == "open" and found.get("url"):
            return redirect(str(found["url"]), 303)
    flash(say("This checkout is closed. Buy the report again to pay."), "info")
    return redirect(url_for("reports.order_page", order_id=order.id))


def _readable(order_id: int) -> tuple[ReportOrder, credit_report.CreditReport]:
    order = _own_order(order_id)
    content = credit_report.snapshot_of(db(), order, utcnow())
    if content is None:
        abort(
            Response(render_template("reports/locked.html", order=order), 402, mimetype="text/html")
        )
    return order, content


@bp.get("/reports/orders/<int:order_id>/report")
@member_required
def report_page(order_id: int) -> str:
    order, content = _readable(order_id)
    now = utcnow()
    inquiries.record_pull(db(), order.member_id, order.business_id, "page", now, order.id)
    fresh = versions.freshness(db(), order, content, now)
    return render_template(
        "reports/report.html",
        report=content,
        order=order,
        own=False,
        fresh=fresh,
        code=versions.shown_code(fresh.version.code),
        until=credit_report.readable_until(order),
        refresh=ConfirmForm(),
    )


@bp.post("/reports/orders/<int:order_id>/current")
@member_required
def open_current(order_id: int) -> Response:
    """The current version of a superseded report, free while the order is readable."""
    order = _own_order(order_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if versions.open_current(db(), order, utcnow()) is None:
        abort(
            Response(render_template("reports/locked.html", order=order), 402, mimetype="text/html")
        )
    flash(say("This is the current version of the report, free of charge."), "success")
    return redirect(url_for("reports.report_page", order_id=order.id), 303)


@bp.get("/reports/orders/<int:order_id>/report.pdf")
@member_required
def report_pdf(order_id: int) -> Response:
    order, content = _readable(order_id)
    now = utcnow()
    inquiries.record_pull(db(), order.member_id, order.business_id, "pdf", now, order.id)
    fresh = versions.freshness(db(), order, content, now)
    verify_url = f"{settings().public_base_url}{url_for('reports.verify_page')}"
    pdf = render_pdf(content, versions.shown_code(fresh.version.code), verify_url)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="credit-report-{order_id}.pdf"'
    return response


@bp.get("/verify-report")
@limiter.limit(VERIFY_LIMIT)
def verify_page() -> str:
    """Public: check a report's verification code (valid, business, date, superseded)."""
    code = request.args.get("code", "").strip()[:64]
    found = versions.verify(db(), code, utcnow()) if code else None
    return render_template("reports/verify.html", code=code, found=found)
