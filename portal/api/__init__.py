"""The JSON API under /api/v1 (API.md). The OpenAPI document is generated from these
views and schemas by flask-smorest."""

from __future__ import annotations

from flask_smorest import Api, Blueprint


class RegistryApi(Api):  # type: ignore[misc]
    """flask-smorest without its own error handlers: `portal.errors` answers every error
    in the one shape of API.md."""

    def _register_error_handlers(self) -> None:
        return None


bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Members' systems: complaints, search, reports, watches; admin routes.",
)

from portal.api import (  # noqa: E402  (the views register themselves on bp)
    admin_businesses,
    admin_disputes,
    admin_members,
    admin_orders,
    businesses,
    complaints,
    me,
    notices,
    reports,
    watches,
)

__all__ = [
    "RegistryApi",
    "admin_businesses",
    "admin_disputes",
    "admin_members",
    "admin_orders",
    "bp",
    "businesses",
    "complaints",
    "me",
    "notices",
    "reports",
    "watches",
]
