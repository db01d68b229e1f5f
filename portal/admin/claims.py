"""Claims with GST registration documents: the review queue, the document, the decision
(audited)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.admin.forms import ClaimDecisionForm
from portal.auth import admin_required
from portal.database import db, settings
from portal.i18n import current, said, say
from registry.claims import documents
from registry.errors import InvalidTransition, ValidationFailed
from registry.language import words
from registry.models import BusinessClaim


@bp.get("/claims")
@admin_required
def claim_queue() -> str:
    return render_template("admin/claims.html", claims=documents.queue(db()))


def _claim(claim_id: int) -> BusinessClaim:
    claim = db().get(BusinessClaim, claim_id)
    if claim is None or claim.method != "documents":
        abort(404)
    return claim


@bp.get("/claims/<int:claim_id>/document")
@admin_required
def claim_document(claim_id: int) -> Response:
    claim = _claim(claim_id)
    path = documents.document_path(settings(), claim)
    if path is None or not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=claim.document_type or "application/octet-stream",
        as_attachment=True,
        download_name=claim.document_name or "document",
    )


@bp.route("/claims/<int:claim_id>", methods=["GET", "POST"])
@admin_required
def claim_review(claim_id: int) -> Response | tuple[str, int]:
    claim = _claim(claim_id)
    form = ClaimDecisionForm()
    if form.validate_on_submit():
        try:
            documents.decide(
                db(),
                claim,
                form.outcome.data == "approve",
                form.note.data or "",
                current_user.actor,
                settings().public_base_url,
            )
        except (ValidationFailed, InvalidTransition) as exc:
            form.form_errors.append(said(exc))
        else:
            flash(
                say(
                    "Claim #%(id)s %(status)s.", id=claim.id, status=words(claim.status, current())
                ),
                "success",
            )
            return redirect(url_for("admin.claim_queue"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/claim.html", claim=claim, form=form), status
