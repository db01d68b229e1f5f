from __future__ import annotations

from typing import Any

from portal.api import bp
from portal.api.keys import SECURITY, api_user, key_required
from portal.api.schemas import Me


@bp.route("/me")
@key_required()
@bp.response(200, Me)
@bp.doc(security=SECURITY)
def me() -> dict[str, Any]:
    """Who this API key belongs to."""
    user = api_user()
    return {
        "user_id": user.id,
        "email": user.email,
        "role": user.role.value,
        "member_id": user.member_id,
        "member_name": user.member.name if user.member else None,
    }
