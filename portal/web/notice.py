"""The debtor's pages, opened by the private link in its notice (no account needed)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from portal.database import db, settings
from portal.downloads import send_evidence
from portal.extensions import limiter
from portal.i18n import current, kept, said, say
from portal.notice_limits import PER_NOTICE, notice_bucket
from portal.web import bp
from portal.web.filing import show_errors
from portal.web.forms import DisputeForm, PromiseForm
from registry import language
from registry.complaints import disputes, life
from registry.complaints.msmed import msmed_interest
from registry.complaints.notices import links
from registry.errors import InvalidTransition, ValidationFailed
from registry.models import Complaint

NOTICE_LIMIT = "30 per minute"


def _complaint(token: str) -> Complaint:
    complaint = links.complaint_for_token(db(), token)
    if complaint is None:
        abort(404, say("This notice link is unknown or has expired."))
    return complaint


def _page(
    token: str,
    complaint: Complaint,
    dispute: DisputeForm | None = None,
    promise: PromiseForm | None = None,
) -> str:
    return render_template(
        "notice/show.html",
        token=token,
        complaint=complaint,
        interest=msmed_interest(settings(), complaint, date.today()),
        dispute_form=dispute or DisputeForm(formdata=None),
        promise_form=promise or PromiseForm(formdata=None),
        is_overdue=disputes.is_overdue,
        may_dispute=not any(d.status.value == "rejected" for d in complaint.disputes)
        and complaint.status.value in {"in_notice", "listed"},
    )


@bp.get("/notice/<token>")
@limiter.limit(NOTICE_LIMIT)
def notice(token: str) -> str:
    return _page(token, _complaint(token))


@bp.post("/notice/<token>/dispute")
@limiter.limit(NOTICE_LIMIT)
@limiter.limit(PER_NOTICE, key_func=notice_bucket)
def notice_dispute(token: str) -> Response | tuple[str, int]:
    complaint = _complaint(token)
    form = DisputeForm()
    if form.validate_on_submit():
        documents = [
            disputes.Document(f.filename or "document", f.read())
            for f in (form.documents.data or [])
            if isinstance(f, FileStorage) and f.filename
        ]
        try:
            disputes.open_dispute(
                db(),
                settings(),
                complaint,
                form.reason.data or "",
                form.statement.data or "",
                documents,
            )
        except ValidationFailed as exc:
            show_errors(form, exc.fields)
        except InvalidTransition as exc:
            form.form_errors.append(said(exc))
        else:
            flash(
                say(
                    "Your dispute is recorded. The complaint is not listed until the registry "
                    "decides."
                ),
                "success",
            )
            return redirect(url_for("web.notice", token=token, lang=kept()))
    return _page(token, complaint, dispute=form), 422


@bp.post("/notice/<token>/promise")
@limiter.limit(NOTICE_LIMIT)
@limiter.limit(PER_NOTICE, key_func=notice_bucket)
def notice_promise(token: str) -> Response | tuple[str, int]:
    complaint = _complaint(token)
    form = PromiseForm()
    if form.validate_on_submit() and form.pay_by.data:
        try:
            life.promise_payment(db(), complaint, form.pay_by.data, date.today())
        except ValidationFailed as exc:
            form.pay_by.errors = [*form.pay_by.errors, *exc.fields.values()]
        except InvalidTransition as exc:
            form.form_errors.append(said(exc))
        else:
            flash(
                say(
                    "The supplier is told you will pay by %(day)s.",
                    day=language.day(form.pay_by.data, current()),
                ),
                "success",
            )
            return redirect(url_for("web.notice", token=token, lang=kept()))
    return _page(token, complaint, promise=form), 422


@bp.get("/notice/<token>/evidence/<int:file_id>")
@limiter.limit(NOTICE_LIMIT)
def notice_evidence(token: str, file_id: int) -> Response:
    return send_evidence(_complaint(token), file_id)
