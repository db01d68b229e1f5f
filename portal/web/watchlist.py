"""The watchlist and its alerts in the portal (the API has the same watches)."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal.auth import member_required, signed_in_user
from portal.database import db
from portal.forms import ConfirmForm
from portal.i18n import say, say_plural
from portal.pagination import PER_PAGE, page_url, paginate
from portal.safety import safe_next
from portal.web import bp
from portal.web.forms import WatchForm
from registry.errors import NotFound, ValidationFailed
from registry.members import watches

log = logging.getLogger(__name__)


def _member_id() -> int:
    return signed_in_user().member_id or 0


def _refused(title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=422, title=title, message=message), 422


@bp.app_template_global()
def unread_alerts() -> int:
    """The badge beside "Alerts" in the navigation (0 when it cannot be counted)."""
    if not current_user.is_authenticated or current_user.user.member_id is None:
        return 0
    try:
        return watches.unread_count(db(), current_user.user.member_id)
    except SQLAlchemyError:  # an error page must render even when the database is down
        log.warning("could not count unread alerts")
        return 0


@bp.app_template_global()
def watched_among(business_ids: list[int]) -> dict[int, int]:
    """business id -> watch id of the signed-in member (for Watch buttons)."""
    if not current_user.is_authenticated or current_user.user.member_id is None:
        return {}
    return watches.watched_ids(db(), current_user.user.member_id, business_ids)


bp.add_app_template_global(page_url, "page_url")


@bp.get("/watches")
@member_required
def watch_list() -> str:
    page = paginate(watches.for_member(_member_id()), PER_PAGE, rows=True)
    return render_template("watches/list.html", page=page, form=ConfirmForm())


@bp.post("/watches")
@member_required
def watch() -> Response | tuple[str, int]:
    form = WatchForm()
    if not form.validate_on_submit() or form.business_id.data is None:
        return _refused("That cannot be watched", "Choose a business to watch.")
    try:
        watched = watches.watch(db(), current_user.actor, form.business_id.data)
    except ValidationFailed:
        return _refused("No such business", "That business is not on the registry.")
    name = watched.business.name
    flash(
        say("You are watching %(name)s: you will be alerted when its complaints change.", name=name)
        if watched.created
        else say("You were already watching %(name)s.", name=name),
        "success",
    )
    return redirect(safe_next(form.next.data) or url_for("web.watch_list"), 303)


@bp.post("/watches/<int:watch_id>/delete")
@member_required
def unwatch(watch_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        business = watches.unwatch(db(), current_user.actor, watch_id)
    except NotFound:
        abort(404)
    flash(
        say("You no longer watch %(name)s.", name=business.name)
        if business
        else say("You no longer watch that business."),
        "info",
    )
    return redirect(safe_next(request.form.get("next")) or url_for("web.watch_list"), 303)


@bp.get("/alerts")
@member_required
def alerts() -> str:
    page = paginate(watches.notifications_for(_member_id()), PER_PAGE)
    return render_template("watches/alerts.html", page=page, form=ConfirmForm())


@bp.post("/alerts/read")
@member_required
def alerts_read() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = watches.mark_all_read(db(), _member_id())
    flash(say_plural("%(num)s alert marked read.", "%(num)s alerts marked read.", count), "info")
    return redirect(url_for("web.alerts"), 303)
