"""Registry staff pages: members, disputes, the audit trail."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.admin import (  # noqa: E402,F401  (views register on bp)
    audit,
    businesses,
    claims,
    disputes,
    members,
    orders,
    privacy,
    pulls,
    undelivered,
)
