from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.database import settings
from portal.web import bp
from portal.web.dashboard import dashboard


@bp.get("/")
def index() -> Response | str:
    """Members land on their dashboard, admins on the dispute queue, others on the welcome."""
    if current_user.is_authenticated and current_user.user.member_id is not None:
        return dashboard()
    if current_user.is_authenticated and current_user.user.is_admin:
        return redirect(url_for("admin.dispute_queue"))
    return render_template("index.html")


@bp.get("/privacy")
def privacy_notice() -> str:
    """The privacy notice (DPDP Act 2023): what is held, why, for how long, and the rights."""
    return render_template("pages/privacy.html", officer=settings().grievance_officer)


@bp.get("/grievance")
def grievance() -> str:
    """The grievance officer, and how to make a request about one's data."""
    return render_template("pages/grievance.html", officer=settings().grievance_officer)
