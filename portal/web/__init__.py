"""Pages for members and applicants."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from portal.web import account, complaints, notice, pages, search, sign_in  # noqa: E402,F401  (views register on bp)
