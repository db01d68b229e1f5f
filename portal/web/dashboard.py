"""A member's dashboard (its home page), its complaints page by page, and their export."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request

from portal import i18n
from portal.auth import member_required, signed_in_user
from portal.database import db
from portal.pagination import paginate
from portal.web import bp
from registry.members import dashboard as figures
from registry.models import ComplaintStatus

RECENT = 5


def _member_id() -> int:
    member_id = signed_in_user().member_id
    assert member_id is not None  # member_required, or checked by the caller
    return member_id


def dashboard() -> str:
    """The figures, the ageing chart and the latest complaints (called by the index)."""
    member_id = _member_id()
    recent = db().scalars(figures.complaints_for(member_id).limit(RECENT)).all()
    return render_template(
        "dashboard/home.html",
        overview=figures.overview(db(), member_id, date.today()),
        recent=recent,
    )


@bp.get("/complaints")
@member_required
def complaint_list() -> str:
    try:
        status = ComplaintStatus(request.args.get("status", ""))
    except ValueError:
        status = None
    page = paginate(figures.complaints_for(_member_id(), status))
    return render_template(
        "dashboard/complaints.html", page=page, status=status, statuses=list(ComplaintStatus)
    )


@bp.get("/complaints.csv")
@member_required
def complaint_export() -> Response:
    body = "".join(figures.export_lines(db(), _member_id(), i18n.current()))
    response = Response("\ufeff" + body, mimetype="text/csv")
    filename = f"complaints-{date.today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
