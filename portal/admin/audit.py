"""The audit trail, filtered and paged."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import render_template, request
from sqlalchemy import func, select

from portal.admin import bp
from portal.auth import admin_required
from portal.database import db
from registry.models import AuditEntry

PAGE = 50
FILTERS = ("entity_type", "entity_id", "action", "actor")


def _day(raw: str | None, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


@bp.get("/audit")
@admin_required
def audit_log() -> str:
    args = {name: (request.args.get(name) or "").strip() for name in (*FILTERS, "since", "until")}
    query = select(AuditEntry)
    if args["entity_type"]:
        query = query.where(AuditEntry.entity_type == args["entity_type"])
    if args["entity_id"]:
        query = query.where(AuditEntry.entity_id == args["entity_id"])
    if args["action"]:
        query = query.where(AuditEntry.action == args["action"])
    if args["actor"]:
        query = query.where(AuditEntry.actor_label.contains(args["actor"], autoescape=True))
    if since := _day(args["since"]):
        query = query.where(AuditEntry.at >= since)
    if until := _day(args["until"], end=True):
        query = query.where(AuditEntry.at <= until)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = db().scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = (
        db()
        .scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * PAGE).limit(PAGE))
        .all()
    )
    return render_template(
        "admin/audit.html",
        entries=entries,
        args=args,
        page=page,
        pages=max((total + PAGE - 1) // PAGE, 1),
        total=total,
    )
