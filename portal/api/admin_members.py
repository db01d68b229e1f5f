"""Admins suspend a member through the API: its sessions and keys stop at once."""

from __future__ import annotations

from typing import Any

from portal.api import bp
from portal.api.errors import ApiError
from portal.api.keys import SECURITY, api_actor, key_required
from portal.api.schemas import MemberOut, SuspendIn
from portal.database import db
from registry.members import accounts
from registry.models import Member


@bp.route("/admin/members/<int:member_id>/suspend", methods=["POST"])
@key_required(admin=True)
@bp.arguments(SuspendIn)
@bp.response(200, MemberOut)
@bp.doc(security=SECURITY)
def suspend_member(body: dict[str, Any], member_id: int) -> dict[str, Any]:
    """Suspend an active member: its users' portal sessions and API keys stop working
    from their next request; audited with the reason. Not active: `409 invalid_transition`."""
    member = db().get(Member, member_id)
    if member is None:
        raise ApiError(404, "not_found", f"No member {member_id}.")
    accounts.suspend(db(), member, api_actor(), body["reason"])
    return {
        "id": member.id,
        "name": member.name,
        "gstin": member.gstin,
        "status": member.status.value,
        "status_reason": member.status_reason,
    }
