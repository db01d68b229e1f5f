"""The search box: name, GSTIN or PAN; free results show identity only."""

from __future__ import annotations

from flask import render_template, request

from portal.auth import member_required
from portal.database import index_copies, read_db
from portal.web import bp
from registry.directory import search

PAGE_SIZE = 20


@bp.get("/search")
@member_required
def search_page() -> str:
    q = (request.args.get("q") or "").strip()[:200]
    city = (request.args.get("city") or "").strip()[:100] or None
    state = (request.args.get("state") or "").strip()[:100] or None
    found = (
        search.search(read_db(), q, city=city, state=state, limit=PAGE_SIZE, copies=index_copies())
        if q
        else None
    )
    return render_template("search.html", q=q, city=city or "", state=state or "", found=found)
