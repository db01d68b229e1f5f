"""The privacy requests queue: due first, days left, answered with an audited reply."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.admin.forms import PrivacyAnswerForm
from portal.auth import admin_required
from portal.database import db
from portal.i18n import said, say
from portal.pagination import paginate
from registry.errors import InvalidTransition, ValidationFailed
from registry.models import PrivacyRequest, utcnow
from registry.rights import requests


@bp.get("/privacy")
@admin_required
def privacy_queue() -> str:
    page = paginate(requests.queue_query())
    return render_template(
        "admin/privacy.html", page=page, now=utcnow(), days_left=requests.days_left
    )


@bp.route("/privacy/<int:request_id>", methods=["GET", "POST"])
@admin_required
def privacy_request(request_id: int) -> Response | tuple[str, int]:
    item = db().get(PrivacyRequest, request_id)
    if item is None:
        abort(404)
    form = PrivacyAnswerForm()
    if form.validate_on_submit():
        try:
            requests.answer(db(), item.id, form.answer.data or "", current_user.actor)
        except (ValidationFailed, InvalidTransition) as exc:
            form.form_errors.append(said(exc))
        else:
            flash(
                say(
                    "Request #%(id)s answered; the answer was emailed to %(email)s.",
                    id=item.id,
                    email=item.email,
                ),
                "success",
            )
            return redirect(url_for("admin.privacy_queue"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/privacy_request.html", item=item, form=form, days_left=requests.days_left(item)
    ), status
