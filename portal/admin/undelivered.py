"""Messages the outbox could not deliver: refused for good, or stuck retrying."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.auth import admin_required
from portal.database import db
from portal.forms import ConfirmForm
from portal.i18n import said, say
from portal.pagination import paginate
from registry.channels import undelivered
from registry.errors import InvalidTransition, NotFound


@bp.get("/undelivered")
@admin_required
def undelivered_messages() -> str:
    return render_template(
        "admin/undelivered.html",
        page=paginate(undelivered.query()),
        stuck_after=undelivered.STUCK_AFTER,
        form=ConfirmForm(),
    )


@bp.post("/undelivered/<int:message_id>/send-again")
@admin_required
def send_again(message_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        undelivered.send_again(db(), message_id, current_user.actor)
    except NotFound:
        abort(404)
    except InvalidTransition as exc:
        flash(said(exc), "error")
        return redirect(url_for("admin.undelivered_messages"), 303)
    flash(say("Queued again: the worker sends it in its next round."), "success")
    return redirect(url_for("admin.undelivered_messages"), 303)
