from __future__ import annotations

from typing import Any

from portal.api import bp
from portal.api.errors import ApiError
from portal.api.keys import SECURITY, api_member_id, key_required
from portal.api.schemas import ComplaintDetail, ComplaintList
from portal.database import db
from registry import audit, complaints
from registry.models import Complaint


def _summary(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": complaint.id,
        "status": complaint.status.value,
        "business_id": complaint.business_id,
        "amount_outstanding_paise": complaint.amount_outstanding_paise,
        "notice_ends_at": complaint.notice_ends_at,
        "created_at": complaint.created_at,
    }


@bp.route("/complaints")
@bp.response(200, ComplaintList)
@bp.doc(security=SECURITY)
@key_required()
def list_complaints() -> dict[str, Any]:
    """Your member's complaints, newest first."""
    rows = complaints.list_for_member(db(), api_member_id())
    return {"complaints": [_summary(c) for c in rows]}


@bp.route("/complaints/<int:complaint_id>")
@bp.response(200, ComplaintDetail)
@bp.doc(security=SECURITY)
@key_required()
def get_complaint(complaint_id: int) -> dict[str, Any]:
    """One of your complaints with its invoices and full history."""
    complaint = complaints.get_for_member(db(), complaint_id, api_member_id())
    if complaint is None:
        raise ApiError(404, "not_found", f"No complaint {complaint_id} of yours.")
    return {
        **_summary(complaint),
        "invoices": complaint.invoices,
        "history": [
            {
                "at": entry.at,
                "from_": entry.from_state,
                "to": entry.to_state,
                "by": audit.public_label(entry),
                "note": entry.note,
            }
            for entry in complaints.history(db(), complaint)
        ],
    }
