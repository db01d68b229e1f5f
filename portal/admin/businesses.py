"""Probable duplicates side by side; merge, dismiss, undo."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from portal import i18n
from portal.admin import bp
from portal.auth import admin_required, reauth_required
from portal.database import db
from portal.forms import ConfirmForm
from portal.i18n import said, say
from registry.directory import businesses, duplicates, merges, search
from registry.errors import InvalidTransition, NotFound, ValidationFailed
from registry.language import N_, translate
from registry.models import Business, Complaint, DuplicatePair

PAGE = 25


@bp.get("/duplicates")
@admin_required
def duplicate_queue() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pairs = duplicates.open_pairs(db(), limit=PAGE + 1, offset=(page - 1) * PAGE)
    sides = {
        p.id: [
            search.identity_hit(db(), b)
            for b in (db().get(Business, p.a_id), db().get(Business, p.b_id))
            if b
        ]
        for p in pairs[:PAGE]
    }
    return render_template(
        "admin/duplicates.html",
        pairs=pairs[:PAGE],
        sides=sides,
        page=page,
        more=len(pairs) > PAGE,
        reasons=duplicates.reasons,
        form=ConfirmForm(),
    )


@bp.post("/duplicates/find")
@admin_required
def find_duplicates() -> Response:
    """The admin's button for `registry find-duplicates`: recompute the queue now."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    summary = duplicates.refresh_by(db(), current_user.actor)
    flash(
        translate(
            i18n.current(),
            N_("Found %(found)s probable pairs; %(open)s wait in the queue."),
            found=summary["pairs_found"],
            open=summary["open_pairs"],
        ),
        "success",
    )
    return redirect(url_for("admin.duplicate_queue"), 303)


@bp.post("/duplicates/<int:pair_id>/merge")
@admin_required
@reauth_required
def merge_pair(pair_id: int) -> Response:
    pair = db().get(DuplicatePair, pair_id)
    if pair is None or not ConfirmForm().validate_on_submit():
        abort(404 if pair is None else 400)
    if request.form.get("confirm") != "yes":
        flash(translate(i18n.current(), N_("Tick the box to confirm the merge.")), "error")
        return redirect(url_for("admin.duplicate_queue"), 303)
    keep, gone = (
        (pair.a_id, pair.b_id) if request.form.get("keep") != "b" else (pair.b_id, pair.a_id)
    )
    try:
        record = merges.merge(db(), keep, gone, current_user.actor)
    except ValidationFailed as exc:
        flash("; ".join(said(v) for v in exc.fields.values()), "error")
        return redirect(url_for("admin.duplicate_queue"), 303)
    flash(say("Business #%(gone)s merged into #%(keep)s.", gone=gone, keep=keep), "success")
    return redirect(url_for("admin.business", business_id=record.kept_id))


@bp.post("/duplicates/<int:pair_id>/dismiss")
@admin_required
def dismiss_pair(pair_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        duplicates.dismiss(db(), pair_id, current_user.actor)
    except NotFound:
        abort(404)
    except InvalidTransition as exc:
        flash(said(exc), "error")
    return redirect(url_for("admin.duplicate_queue"))


@bp.get("/businesses/<int:business_id>")
@admin_required
def business(business_id: int) -> str:
    item = db().get(Business, business_id)
    if item is None:
        abort(404)
    return render_template(
        "admin/business.html",
        business=item,
        hit=search.identity_hit(db(), item),
        survivor=businesses.survivor(db(), item),
        merges=merges.merges_of(db(), item.id),
        form=ConfirmForm(),
        as_reported=businesses.names_as_reported(db(), item),
        reporter_contacts=db()
        .execute(
            select(Complaint.id, Complaint.debtor_email, Complaint.debtor_mobile)
            .where(
                Complaint.business_id == item.id,
                or_(Complaint.debtor_email.is_not(None), Complaint.debtor_mobile.is_not(None)),
            )
            .order_by(Complaint.id)
        )
        .all(),
    )


@bp.post("/businesses/<int:business_id>/aliases")
@admin_required
def add_alias(business_id: int) -> Response:
    """Promote a spelling a reporter gave to a search name of the business (audited)."""
    item = businesses.get(db(), business_id)
    if item is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        businesses.add_alias_by_admin(db(), item, request.form.get("name", ""), current_user.actor)
    except ValidationFailed as exc:
        flash("; ".join(said(v) for v in exc.fields.values()), "error")
        return redirect(url_for("admin.business", business_id=item.id), 303)
    flash(say("Added: searches now find %(name)s by this name too.", name=item.name), "success")
    return redirect(url_for("admin.business", business_id=item.id))


@bp.post("/businesses/<int:business_id>/aliases/<int:alias_id>/remove")
@admin_required
def remove_alias(business_id: int, alias_id: int) -> Response:
    """Take a name out of search at once (audited); it can be added back from the
    names as reported."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        businesses.remove_alias(db(), business_id, alias_id, current_user.actor)
    except NotFound:
        abort(404)
    flash(say("Removed: searches no longer find this business by that name."), "success")
    return redirect(url_for("admin.business", business_id=business_id), 303)


@bp.post("/merges/<int:merge_id>/undo")
@admin_required
@reauth_required
def undo_merge(merge_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        record = merges.undo(db(), merge_id, current_user.actor)
    except NotFound:
        abort(404)
    except InvalidTransition as exc:
        flash(said(exc), "error")
        return redirect(request.referrer or url_for("admin.duplicate_queue"), 303)
    flash(
        say("Merge undone: #%(id)s is a business of its own again.", id=record.merged_id),
        "success",
    )
    return redirect(url_for("admin.business", business_id=record.merged_id))
