"""Bulk import of overdue invoices: upload a CSV with its documents, map its columns,
preview, then file the good rows (in steps, with a progress bar, for large files)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import member_required, signed_in_user
from portal.database import db, settings
from portal.forms import ConfirmForm
from portal.i18n import said, say
from portal.pagination import PER_PAGE, paginate, paginate_list
from portal.web import bp
from portal.web.filing import show_errors
from portal.web.forms import DocumentsForm, ImportForm, mapping_form, uploaded
from registry.bulk import batches, steps
from registry.bulk.reading import FIELDS, REQUIRED
from registry.errors import InvalidTransition, ValidationFailed
from registry.models import ImportBatch, ImportStatus

PREVIEW_ROWS = 100


def _own(batch_id: int) -> ImportBatch:
    batch = batches.get_for_member(db(), batch_id, signed_in_user().member_id or 0)
    if batch is None:
        abort(404)
    return batch


def _list_page(form: ImportForm, status: int = 200) -> tuple[str, int]:
    page = paginate(batches.for_member(signed_in_user().member_id or 0), PER_PAGE)
    return render_template("imports/new.html", form=form, page=page), status


@bp.get("/imports")
@member_required
def imports() -> tuple[str, int]:
    return _list_page(ImportForm(formdata=None))


@bp.post("/imports")
@member_required
def upload_import() -> Response | tuple[str, int]:
    form = ImportForm()
    if form.validate_on_submit():
        try:
            batch = batches.upload(
                db(),
                settings(),
                current_user.actor,
                form.file.data.filename or "import.csv",
                form.file.data.read(),
                uploaded(form.documents.data),
            )
        except ValidationFailed as exc:
            show_errors(form, exc.fields)
        else:
            return redirect(url_for("web.import_preview", batch_id=batch.id), 303)
    return _list_page(form, 422)


def _samples(batch: ImportBatch) -> dict[str, str]:
    headers = batches.headers_of(batch)
    first = batches.rows_of(batch)[:1]
    cells = first[0][1] if first else []
    return {h: cells[i][:30] for i, h in enumerate(headers) if i < len(cells) and cells[i]}


def _preview(batch: ImportBatch, mapping_form_: Any = None, status: int = 200) -> tuple[str, int]:
    plan = batches.plan_of(batch)
    documents = batches.documents_of(batch)
    form = mapping_form_ or mapping_form(
        batches.headers_of(batch), batches.mapping_of(batch), _samples(batch)
    )
    return render_template(
        "imports/show.html",
        batch=batch,
        plan=plan,
        rows=paginate_list(plan["rows"], PREVIEW_ROWS) if plan else None,
        summary=steps.summary(plan, documents) if plan else None,
        documents=documents,
        form=form,
        fields=FIELDS,
        required=REQUIRED,
        mapped=[f for f in FIELDS if f in batches.mapping_of(batch)],
        documents_form=DocumentsForm(formdata=None),
        confirm=ConfirmForm(),
        expires_at=batches.expires_at(batch),
        kept_days=batches.KEPT_FOR.days,
    ), status


@bp.get("/imports/<int:batch_id>")
@member_required
def import_preview(batch_id: int) -> Response | tuple[str, int]:
    batch = _own(batch_id)
    if batch.status is not ImportStatus.UPLOADED:
        return redirect(url_for("web.import_progress", batch_id=batch.id))
    return _preview(batch)


@bp.post("/imports/<int:batch_id>/mapping")
@member_required
def import_mapping(batch_id: int) -> Response | tuple[str, int]:
    batch = _own(batch_id)
    headers = batches.headers_of(batch)
    form = mapping_form(headers, {}, _samples(batch))
    if not form.validate_on_submit():
        return _preview(batch, form, 422)
    chosen = {field: getattr(form, field).data or "" for field in FIELDS}
    try:
        batches.set_mapping(db(), settings(), batch, chosen)
    except ValidationFailed as exc:
        for field, message in exc.fields.items():
            getattr(form, field).errors = [said(message)]
        return _preview(batch, form, 422)
    flash(say("Columns saved: they will be chosen for your next file too."), "success")
    return redirect(url_for("web.import_preview", batch_id=batch.id), 303)


@bp.post("/imports/<int:batch_id>/dates")
@member_required
def import_dates(batch_id: int) -> Response | tuple[str, int]:
    """The file's one date question: day first or month first for 04-05-2026."""
    batch = _own(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        batches.answer_date_order(db(), settings(), batch, request.form.get("date_order", ""))
    except ValidationFailed as exc:
        flash("; ".join(said(v) for v in exc.fields.values()), "error")
        return _preview(batch, status=422)
    except InvalidTransition:
        return redirect(url_for("web.import_progress", batch_id=batch.id), 303)
    return redirect(url_for("web.import_preview", batch_id=batch.id, _anchor="preview-h"), 303)


@bp.post("/imports/<int:batch_id>/rows/<int:line>")
@member_required
def import_correct_row(batch_id: int, line: int) -> Response | tuple[str, int]:
    """A row corrected in the preview: its mapped cells replaced, the file checked again."""
    batch = _own(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    mapping = batches.mapping_of(batch)
    values = {f: request.form[f] for f in FIELDS if f in mapping and f in request.form}
    try:
        batches.correct_row(db(), settings(), batch, line, values)
    except ValidationFailed as exc:
        flash("; ".join(f"{k}: {said(v)}" for k, v in exc.fields.items()), "error")
        return _preview(batch, status=422)
    except InvalidTransition:
        return redirect(url_for("web.import_progress", batch_id=batch.id), 303)
    flash(say("Line %(line)s corrected and checked again.", line=line), "success")
    return redirect(url_for("web.import_preview", batch_id=batch.id, _anchor=f"line-{line}"), 303)


@bp.post("/imports/<int:batch_id>/documents")
@member_required
def import_documents(batch_id: int) -> Response | tuple[str, int]:
    batch = _own(batch_id)
    form = DocumentsForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        batches.add_documents(db(), settings(), batch, uploaded(form.documents.data))
    except ValidationFailed as exc:
        flash("; ".join(said(v) for v in exc.fields.values()), "error")
        return _preview(batch, status=422)
    flash(say("Documents added."), "success")
    return redirect(url_for("web.import_preview", batch_id=batch.id), 303)


@bp.post("/imports/<int:batch_id>/file")
@member_required
def import_file(batch_id: int) -> Response | tuple[str, int]:
    batch = _own(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if batch.status is not ImportStatus.UPLOADED:  # pressed twice: show how it goes
        return redirect(url_for("web.import_progress", batch_id=batch.id), 303)
    choices = {
        int(key.removeprefix("choice-")): value
        for key, value in request.form.items()
        if key.startswith("choice-") and key.removeprefix("choice-").isdigit()
    }
    try:
        steps.start(db(), current_user.actor, batch, choices)
    except ValidationFailed as exc:
        flash("; ".join(said(v) for v in exc.fields.values()), "error")
        return _preview(batch, status=422)
    steps.file_step(db(), settings(), current_user.actor, batch)
    return redirect(url_for("web.import_progress", batch_id=batch.id), 303)


@bp.post("/imports/<int:batch_id>/step")
@member_required
def import_step(batch_id: int) -> Response:
    batch = _own(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    done = steps.file_step(db(), settings(), current_user.actor, batch)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(done.as_dict())
    return redirect(url_for("web.import_progress", batch_id=batch.id), 303)


@bp.get("/imports/<int:batch_id>/progress")
@member_required
def import_progress(batch_id: int) -> Response | str:
    batch = _own(batch_id)
    if batch.status is ImportStatus.UPLOADED:
        return redirect(url_for("web.import_preview", batch_id=batch.id))
    plan = batches.plan_of(batch) or {"groups": [], "rows": []}
    outcomes = list(zip(plan["groups"], batches.results_of(batch), strict=False))
    return render_template(
        "imports/progress.html",
        batch=batch,
        expired=batches.expired(db(), batch),
        kept_days=batches.KEPT_FOR.days,
        progress=steps.progress(batch),
        outcomes=paginate_list(outcomes, PER_PAGE * 2),
        bad_rows=[r for r in plan["rows"] if r["action"] == "error"][:PREVIEW_ROWS],
        step=ConfirmForm(),
    )


@bp.post("/imports/<int:batch_id>/cancel")
@member_required
def import_cancel(batch_id: int) -> Response:
    batch = _own(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        batches.cancel(db(), settings(), current_user.actor, batch)
    except InvalidTransition as exc:
        flash(said(exc), "error")
    else:
        flash(
            say("Import of %(name)s cancelled; nothing was filed from it.", name=batch.filename),
            "info",
        )
    return redirect(url_for("web.imports"), 303)
