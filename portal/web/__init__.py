"""Pages for members and applicants."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from portal.web import (  # noqa: E402  (the views register themselves on bp)
    account,
    complaints,
    credentials,
    dashboard,
    imports,
    inquiries,
    notice,
    pages,
    search,
    sign_in,
    watchlist,
)

__all__ = [
    "account",
    "bp",
    "complaints",
    "credentials",
    "dashboard",
    "imports",
    "inquiries",
    "notice",
    "pages",
    "search",
    "sign_in",
    "watchlist",
]
