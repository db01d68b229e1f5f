"""Report orders for admins: the latest ones, and a refund through the gateway after a
ticked confirmation (the same refund as `POST /api/v1/admin/orders/<id>/refund`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, select
from werkzeug.wrappers import Response

from portal import i18n
from portal.admin import bp
from portal.auth import admin_required, reauth_required
from portal.database import db
from portal.forms import ConfirmForm
from portal.i18n import said
from portal.webhooks import current_gateway
from registry.errors import InvalidTransition
from registry.language import N_, translate
from registry.models import Business, Member, ReportOrder
from registry.payments import fulfilment
from registry.payments.gateways import GatewayError

LATEST = 50


@bp.get("/orders")
@admin_required
def order_list() -> str:
    rows = db().execute(_named().order_by(ReportOrder.id.desc()).limit(LATEST)).all()
    return render_template("admin/orders.html", rows=rows)


def _named() -> Select[ReportOrder, str, str]:
    """Orders with the buying member's and the reported business's names."""
    return (
        select(ReportOrder, Member.name, Business.name)
        .join(Member, Member.id == ReportOrder.member_id)
        .join(Business, Business.id == ReportOrder.business_id)
    )


@bp.get("/orders/<int:order_id>")
@admin_required
def order(order_id: int) -> str:
    row = db().execute(_named().where(ReportOrder.id == order_id)).first()
    if row is None:
        abort(404)
    item, member, business = row
    return render_template(
        "admin/order.html", order=item, member=member, business=business, form=ConfirmForm()
    )


@bp.post("/orders/<int:order_id>/refund")
@admin_required
@reauth_required
def refund_order(order_id: int) -> Response:
    item = db().get(ReportOrder, order_id)
    if item is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    here = url_for("admin.order", order_id=order_id)
    if request.form.get("confirm") != "yes":
        flash(translate(i18n.current(), N_("Tick the box to confirm the refund.")), "error")
        return redirect(here, 303)
    try:
        fulfilment.refund(db(), current_gateway(), order_id, current_user.actor)
    except InvalidTransition as exc:
        flash(said(exc), "error")
        return redirect(here, 303)
    except GatewayError:
        flash(
            translate(i18n.current(), N_("The gateway refused the refund; nothing changed.")),
            "error",
        )
        return redirect(here, 303)
    flash(translate(i18n.current(), N_("Refunded; the report is locked again.")), "success")
    return redirect(here)
