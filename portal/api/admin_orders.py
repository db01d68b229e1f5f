"""Admins refund report orders through the gateway (there is no route that pays one)."""

from __future__ import annotations

from typing import Any

from portal.api import bp
from portal.api.keys import SECURITY, api_actor, key_required
from portal.api.reports import gateway_failed, order_out
from portal.api.schemas import OrderOut
from portal.database import db
from portal.webhooks import current_gateway
from registry.payments import fulfilment
from registry.payments.gateways import GatewayError


@bp.route("/admin/orders/<int:order_id>/refund", methods=["POST"])
@bp.response(200, OrderOut)
@bp.doc(security=SECURITY)
@key_required(admin=True)
def refund_order(order_id: int) -> dict[str, Any]:
    """Refund a paid order in full through the gateway; its report locks again."""
    try:
        order = fulfilment.refund(db(), current_gateway(), order_id, api_actor())
    except GatewayError as exc:
        raise gateway_failed(exc) from exc
    return order_out(order)
