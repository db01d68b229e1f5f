from __future__ import annotations

from flask import render_template
from flask_login import current_user

from portal.database import db
from portal.web import bp
from registry import complaints


@bp.get("/")
def index() -> str:
    if current_user.is_authenticated and current_user.user.member_id is not None:
        own = complaints.list_for_member(db(), current_user.user.member_id)
        return render_template("home.html", complaints=own)
    return render_template("index.html")
