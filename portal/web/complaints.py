"""A member's complaints: file one, follow it, settle or withdraw it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import i18n, once
from portal.auth import member_required, signed_in_user
from portal.database import db, settings
from portal.downloads import send_evidence
from portal.forms import ConfirmForm
from portal.i18n import said, say
from portal.web import bp
from portal.web.filing import filing_from, incomplete_rows, show_errors
from portal.web.forms import FilingForm, NoteForm
from registry.complaints import filing, life
from registry.complaints.msmed import msmed_interest
from registry.errors import Conflict, InvalidTransition, ValidationFailed
from registry.language import N_, translate
from registry.models import Complaint


def _own(complaint_id: int) -> Complaint:
    complaint = life.get_for_member(db(), complaint_id, signed_in_user().member_id or 0)
    if complaint is None:
        abort(404)
    return complaint


@bp.route("/complaints/new", methods=["GET", "POST"])
@member_required
def new_complaint() -> Response | tuple[str, int]:
    form = FilingForm()
    candidates: list[dict[str, Any]] = []
    if form.is_submitted() and request.form.get("add_invoice"):
        # Without JavaScript, "Add another invoice" comes back here for one more row.
        if len(form.invoices) < (form.invoices.max_entries or 50):
            form.invoices.append_entry()
        return render_template("complaints/new.html", form=form, candidates=candidates), 200
    if form.validate_on_submit() and not incomplete_rows(form):
        began = once.begin(signed_in_user().member_id or 0, "complaints/new", form.once.data)
        if isinstance(began, Response):  # this form was submitted already: show its result
            return began
        try:
            filed = filing.file_complaint(db(), settings(), current_user.actor, filing_from(form))
        except ValidationFailed as exc:
            show_errors(form, exc.fields)
        except Conflict as exc:
            candidates = exc.extra.get("candidates", [])
            form.form_errors.append(
                said(exc)
                if not candidates
                else "Similar businesses are on the registry: choose the right one "
                "(or 'none of these'), attach the documents again and file."
            )
        else:
            flash(
                say(
                    "Complaint #%(id)s filed; the debtor has been sent its notice.",
                    id=filed.complaint.id,
                ),
                "success",
            )
            location = url_for("web.complaint", complaint_id=filed.complaint.id)
            once.finish(began, location)
            return redirect(location)
    status = 422 if form.is_submitted() else 200
    return render_template("complaints/new.html", form=form, candidates=candidates), status


@bp.get("/complaints/<int:complaint_id>")
@member_required
def complaint(complaint_id: int) -> str:
    item = _own(complaint_id)
    return render_template(
        "complaints/show.html",
        complaint=item,
        history=life.history(db(), item),
        interest=msmed_interest(settings(), item, date.today()),
        settle=NoteForm(),
        withdraw=ConfirmForm(),
    )


@bp.post("/complaints/<int:complaint_id>/settle")
@member_required
def settle(complaint_id: int) -> Response:
    item = _own(complaint_id)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        life.settle(db(), item, current_user.actor, form.note.data, settings())
    except InvalidTransition as exc:
        flash(said(exc), "error")
        return redirect(url_for("web.complaint", complaint_id=complaint_id), 303)
    flash(say("Marked settled. Thank you for keeping the registry accurate."), "success")
    return redirect(url_for("web.complaint", complaint_id=complaint_id))


@bp.post("/complaints/<int:complaint_id>/withdraw")
@member_required
def withdraw(complaint_id: int) -> Response:
    item = _own(complaint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if request.form.get("confirm") != "yes":
        flash(translate(i18n.current(), N_("Tick the box to confirm the withdrawal.")), "error")
        return redirect(url_for("web.complaint", complaint_id=complaint_id), 303)
    try:
        life.withdraw(db(), item, current_user.actor, settings=settings())
    except InvalidTransition as exc:
        flash(said(exc), "error")
        return redirect(url_for("web.complaint", complaint_id=complaint_id), 303)
    flash(say("Complaint withdrawn."), "info")
    return redirect(url_for("web.complaint", complaint_id=complaint_id))


@bp.get("/complaints/<int:complaint_id>/evidence/<int:file_id>")
@member_required
def complaint_evidence(complaint_id: int, file_id: int) -> Response:
    return send_evidence(_own(complaint_id), file_id)
