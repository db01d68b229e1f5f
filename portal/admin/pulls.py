"""The log of report pulls: who bought or read which business's report, when."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from portal.admin import bp
from portal.auth import admin_required
from portal.pagination import paginate
from registry.models import Business, Member, ReportPull


@bp.get("/report-pulls")
@admin_required
def report_pulls() -> str:
    query = (
        select(ReportPull, Member.name, Business.name)
        .join(Member, Member.id == ReportPull.member_id)
        .join(Business, Business.id == ReportPull.business_id)
    )
    business_id = request.args.get("business_id", type=int)
    member_id = request.args.get("member_id", type=int)
    if business_id:
        query = query.where(ReportPull.business_id == business_id)
    if member_id:
        query = query.where(ReportPull.member_id == member_id)
    page = paginate(query.order_by(ReportPull.id.desc()), rows=True)
    return render_template(
        "admin/report_pulls.html",
        page=page,
        business_id=business_id or "",
        member_id=member_id or "",
    )
