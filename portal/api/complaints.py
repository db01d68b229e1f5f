"""Members' complaints through the API: file, list, read, settle, withdraw."""

from __future__ import annotations

from typing import Any

from portal.api import bp, paging
from portal.api.errors import ApiError
from portal.api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from portal.api.idempotency import idempotent
from portal.api.keys import SECURITY, api_actor, api_member_id, key_required
from portal.api.schemas import (
    ComplaintDetail,
    ComplaintFiled,
    ComplaintIn,
    ComplaintSummary,
    NoteIn,
)
from portal.api.uploads import decode_files
from portal.database import db, settings
from registry import audit
from registry.complaints import filing, life
from registry.directory import debtors
from registry.members import api_keys
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


def _detail(complaint: Complaint) -> dict[str, Any]:
    return {
        **_summary(complaint),
        "invoices": complaint.invoices,
        "history": [
            {
                "at": e.at,
                "from_": e.from_state,
                "to": e.to_state,
                "by": audit.public_label(e),
                "note": e.note,
            }
            for e in life.history(db(), complaint)
            if e.to_state is not None
        ],
    }


def _own(complaint_id: int) -> Complaint:
    complaint = life.get_for_member(db(), complaint_id, api_member_id())
    if complaint is None:
        raise ApiError(404, "not_found", f"No complaint {complaint_id} of yours.")
    return complaint


@bp.route("/complaints", methods=["POST"])
@key_required(api_keys.FILE)
@idempotent
@bp.arguments(ComplaintIn)
@bp.response(201, ComplaintFiled)
@bp.alt_response(409, description="duplicate_invoice, confirm_business, idempotency_conflict")
@bp.doc(security=SECURITY, parameters=[IDEMPOTENCY_KEY])
def file_complaint(body: dict[str, Any]) -> dict[str, Any]:
    """File a complaint: debtor, overdue invoices and at least one evidence document."""
    api_member_id()
    files = decode_files("evidence", body["evidence"])
    request = filing.FilingIn(
        debtor=debtors.DebtorIn(**body["debtor"]),
        invoices=[filing.InvoiceIn(**inv) for inv in body["invoices"]],
        evidence=[filing.EvidenceIn(name, content) for name, content in files],
        note=body.get("note"),
    )
    filed = filing.file_complaint(db(), settings(), api_actor(), request)
    return _summary(filed.complaint)


@bp.route("/complaints")
@key_required(api_keys.FILE)
@bp.response(200, ComplaintSummary(many=True), headers=paging.HEADERS)
@bp.doc(security=SECURITY, parameters=paging.PARAMETERS)
def list_complaints() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Your member's complaints, newest first (paged)."""
    complaints, headers = paging.page_of(life.member_complaints(api_member_id()))
    return [_summary(c) for c in complaints], headers


@bp.route("/complaints/<int:complaint_id>")
@key_required(api_keys.FILE)
@bp.response(200, ComplaintDetail)
@bp.doc(security=SECURITY)
def get_complaint(complaint_id: int) -> dict[str, Any]:
    """One of your complaints with its invoices and full history."""
    return _detail(_own(complaint_id))


@bp.route("/complaints/<int:complaint_id>/settle", methods=["POST"])
@key_required(api_keys.FILE)
@bp.arguments(NoteIn)
@bp.response(200, ComplaintDetail)
@bp.doc(security=SECURITY)
def settle_complaint(body: dict[str, Any], complaint_id: int) -> dict[str, Any]:
    """Confirm the debtor paid: the complaint becomes settled."""
    complaint = _own(complaint_id)
    life.settle(db(), complaint, api_actor(), body.get("note"), settings())
    return _detail(complaint)


@bp.route("/complaints/<int:complaint_id>/withdraw", methods=["POST"])
@key_required(api_keys.FILE)
@bp.response(200, ComplaintDetail)
@bp.doc(security=SECURITY)
def withdraw_complaint(complaint_id: int) -> dict[str, Any]:
    """Take the complaint back (only while it is in notice)."""
    complaint = _own(complaint_id)
    life.withdraw(db(), complaint, api_actor(), settings=settings())
    return _detail(complaint)
