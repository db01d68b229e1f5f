"""Admins verify or reject member applications."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.admin import bp
from portal.admin.forms import RejectForm
from portal.auth import admin_required
from portal.database import db, settings
from portal.forms import ConfirmForm, Form, apply_field_errors
from portal.i18n import lazy, said, say
from portal.pagination import paginate
from registry.errors import InvalidTransition, ValidationFailed
from registry.members import accounts, documents, vetting
from registry.models import Member, MemberDocument, MemberStatus


class SuspendForm(Form):
    reason = TextAreaField(
        lazy("Reason (sent to the member)"), validators=[DataRequired(), Length(min=5, max=2000)]
    )
    submit = SubmitField(lazy("Suspend"))


def _member_or_404(member_id: int) -> Member:
    member = db().get(Member, member_id)
    if member is None:
        abort(404)
    return member


@bp.get("/members")
@admin_required
def member_list() -> str:
    try:
        status = MemberStatus(request.args.get("status", "pending"))
    except ValueError:
        status = MemberStatus.PENDING
    page = paginate(
        select(Member).where(Member.status == status).order_by(Member.created_at, Member.id)
    )
    return render_template(
        "admin/members.html",
        members=page.items,
        page=page,
        status=status,
        statuses=list(MemberStatus),
        verify=ConfirmForm(),
        reject=RejectForm(),
        facts={m.id: vetting.facts(db(), m) for m in page.items}
        if status is MemberStatus.PENDING
        else {},
        suspend=SuspendForm(formdata=None),
    )


@bp.get("/members/<int:member_id>/documents/<int:document_id>")
@admin_required
def member_document(member_id: int, document_id: int) -> Response:
    """A document an applicant sent, as a download (never shown inline)."""
    document = db().get(MemberDocument, document_id)
    if document is None or document.member_id != member_id:
        abort(404)
    path = documents.path_of(settings(), document)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.original_name,
    )


@bp.post("/members/<int:member_id>/verify")
@admin_required
def verify_member(member_id: int) -> Response:
    member = _member_or_404(member_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        accounts.verify(db(), member, current_user.actor)
    except InvalidTransition as exc:
        flash(said(exc), "error")
        return redirect(url_for("admin.member_list"), 303)
    except ValidationFailed as exc:  # another member holds this GSTIN
        flash("; ".join(said(v) for v in exc.fields.values()), "error")
        return redirect(url_for("admin.member_list"), 303)
    flash(say("%(name)s is now an active member.", name=member.name), "success")
    return redirect(url_for("admin.member_list"))


@bp.post("/members/<int:member_id>/reject")
@admin_required
def reject_member(member_id: int) -> Response | tuple[str, int]:
    member = _member_or_404(member_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            accounts.reject(db(), member, current_user.actor, form.reason.data or "")
        except ValidationFailed as exc:
            apply_field_errors(form, exc.fields)
        except InvalidTransition as exc:
            form.form_errors.append(said(exc))
        else:
            flash(say("The application of %(name)s was rejected.", name=member.name), "info")
            return redirect(url_for("admin.member_list"))
    return render_template("admin/reject.html", member=member, form=form), 422


@bp.post("/members/<int:member_id>/suspend")
@admin_required
def suspend_member(member_id: int) -> Response | tuple[str, int]:
    """Suspend an active member: its users are signed out and its keys refused at once."""
    member = _member_or_404(member_id)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            accounts.suspend(db(), member, current_user.actor, form.reason.data or "")
        except ValidationFailed as exc:
            apply_field_errors(form, exc.fields)
        except InvalidTransition as exc:
            form.form_errors.append(said(exc))
        else:
            flash(
                say("%(name)s is suspended; its logins and API keys stopped.", name=member.name),
                "info",
            )
            return redirect(url_for("admin.member_list", status="suspended"), 303)
    return render_template("admin/suspend.html", member=member, form=form), 422
