"""Admins' dispute queue through the API."""

from __future__ import annotations

from typing import Any

from flask import request

from portal.api import bp, paging
from portal.api.errors import ApiError
from portal.api.keys import SECURITY, api_actor, key_required
from portal.api.schemas import AdminDisputeOut, DecisionIn
from portal.database import db, settings
from registry.complaints import disputes
from registry.models import Dispute, DisputeStatus

STATUSES = ", ".join(s.value for s in DisputeStatus)


@bp.route("/admin/disputes")
@key_required(admin=True)
@bp.response(200, AdminDisputeOut(many=True), headers=paging.HEADERS)
@bp.doc(
    security=SECURITY,
    parameters=[
        {
            "in": "query",
            "name": "status",
            "schema": {"type": "string", "enum": [s.value for s in DisputeStatus]},
        },
        *paging.PARAMETERS,
    ],
)
def dispute_queue() -> tuple[list[Dispute], dict[str, str]]:
    """Disputes in a status (default open), oldest first, with due date and overdue flag."""
    raw = request.args.get("status", "open")
    try:
        status = DisputeStatus(raw)
    except ValueError as exc:
        raise ApiError(
            422, "validation", "Unknown status.", {"status": f"choose one of: {STATUSES}"}
        ) from exc
    return paging.page_of(disputes.queue_query(status))


@bp.route("/admin/disputes/<int:dispute_id>/decision", methods=["POST"])
@key_required(admin=True)
@bp.arguments(DecisionIn)
@bp.response(200, AdminDisputeOut)
@bp.doc(security=SECURITY)
def decide_dispute(body: dict[str, Any], dispute_id: int) -> Dispute:
    """Uphold (complaint removed), reject (complaint listed) or correct (listed at the
    amount that stands, or settled when it is 0) a dispute, with reasons."""
    dispute = db().get(Dispute, dispute_id)
    if dispute is None:
        raise ApiError(404, "not_found", f"No dispute {dispute_id}.")
    disputes.decide(
        db(),
        dispute,
        body["outcome"],
        body["note"],
        api_actor(),
        body.get("amount_outstanding_paise"),
        settings(),
    )
    return dispute
