"""The JSON API under /api/v1 (API.md). The OpenAPI document is generated from these
views and schemas by flask-smorest."""

from __future__ import annotations

from typing import Any

from flask_smorest import Api, Blueprint

from portal.api.openapi import ErrorResponses
from portal.api.schemas import Error


class RegistryApi(Api):  # type: ignore[misc]
    """flask-smorest without its own error handlers: `portal.errors` answers every error
    in the one shape of API.md, which the OpenAPI document shows (`ERROR_SCHEMA`, and
    `portal.api.openapi` lists each operation's error statuses)."""

    ERROR_SCHEMA = Error

    def __init__(self, app: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("spec_kwargs", {}).setdefault("extra_plugins", [ErrorResponses()])
        super().__init__(app, **kwargs)

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
    claims,
    complaints,
    me,
    notices,
    privacy,
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
    "claims",
    "complaints",
    "me",
    "notices",
    "privacy",
    "reports",
    "watches",
]
