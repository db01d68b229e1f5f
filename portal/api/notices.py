"""The debtor's side, by notice token (the token is the key): read, dispute."""

from __future__ import annotations

from typing import Any

from portal.api import bp
from portal.api.errors import ApiError
from portal.api.schemas import DisputeIn, DisputeOpened, NoticeOut
from portal.api.uploads import decode_files
from portal.database import db, settings
from portal.extensions import limiter
from portal.notice_limits import PER_NOTICE, notice_bucket
from registry.complaints import disputes
from registry.complaints.notices import links, view
from registry.models import Complaint

NOTICE_LIMIT = "30 per minute"


def _complaint(token: str) -> Complaint:
    complaint = links.complaint_for_token(db(), token)
    if complaint is None:
        raise ApiError(404, "not_found", "This notice link is unknown or has expired.")
    return complaint


@bp.route("/notices/<token>")
@limiter.limit(NOTICE_LIMIT)
@bp.response(200, NoticeOut)
def read_notice(token: str) -> dict[str, Any]:
    """The complaint as its debtor sees it, reporter's name included."""
    return view.for_debtor(settings(), _complaint(token))


@bp.route("/notices/<token>/dispute", methods=["POST"])
@limiter.limit(NOTICE_LIMIT)
@limiter.limit(PER_NOTICE, key_func=notice_bucket)
@bp.arguments(DisputeIn)
@bp.response(201, DisputeOpened)
def dispute_notice(body: dict[str, Any], token: str) -> dict[str, Any]:
    """Dispute the complaint: it is not listed until an admin decides."""
    complaint = _complaint(token)
    documents = [disputes.Document(n, c) for n, c in decode_files("documents", body["documents"])]
    dispute = disputes.open_dispute(
        db(), settings(), complaint, body["reason"], body["statement"], documents
    )
    return {"dispute_id": dispute.id, "status": dispute.status.value}
