"""The dispute queue: oldest first, due dates, overdue flags; deciding with reasons."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.admin.forms import DecisionForm
from portal.auth import admin_required
from portal.database import db, settings
from portal.downloads import send_evidence
from portal.forms import apply_field_errors
from portal.i18n import current, said, say
from portal.money import to_paise
from portal.pagination import paginate
from registry.complaints import disputes, life
from registry.errors import InvalidTransition, ValidationFailed
from registry.language import words
from registry.models import Dispute, DisputeStatus


def _dispute(dispute_id: int) -> Dispute:
    dispute = db().get(Dispute, dispute_id)
    if dispute is None:
        abort(404)
    return dispute


@bp.get("/disputes")
@admin_required
def dispute_queue() -> str:
    page = paginate(disputes.queue_query(DisputeStatus.OPEN))
    return render_template(
        "admin/disputes.html",
        disputes=page.items,
        page=page,
        is_overdue=disputes.is_overdue,
        days_left=disputes.days_left,
    )


#: The service names the amount as the API does.
FORM_FIELD = {"amount_outstanding_paise": "amount"}


@bp.route("/disputes/<int:dispute_id>", methods=["GET", "POST"])
@admin_required
def dispute(dispute_id: int) -> Response | tuple[str, int]:
    item = _dispute(dispute_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            amount = to_paise(form.amount.data) if form.amount.data is not None else None
            disputes.decide(
                db(),
                item,
                form.outcome.data or "",
                form.note.data or "",
                current_user.actor,
                amount if form.outcome.data == "corrected" else None,
                settings(),
            )
        except ValidationFailed as exc:
            apply_field_errors(form, {FORM_FIELD.get(k, k): v for k, v in exc.fields.items()})
        except InvalidTransition as exc:
            form.form_errors.append(said(exc))
        else:
            flash(
                say(
                    "Dispute #%(id)s: %(outcome)s.",
                    id=item.id,
                    outcome=words(item.status, current()),
                ),
                "success",
            )
            return redirect(url_for("admin.dispute_queue"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/dispute.html",
        dispute=item,
        complaint=item.complaint,
        form=form,
        history=life.history(db(), item.complaint),
        overdue=disputes.is_overdue(item),
    ), status


@bp.get("/disputes/<int:dispute_id>/evidence/<int:file_id>")
@admin_required
def dispute_evidence(dispute_id: int, file_id: int) -> Response:
    return send_evidence(_dispute(dispute_id).complaint, file_id)
