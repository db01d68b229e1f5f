"""Claiming a business in the portal (reachable from every notice page): a one-time code
to its contact on record, or GST registration documents for an admin to review; then a
business session that shows its whole file and keeps its own contacts. A member's users
see their own business's file (the member is verified for its own GSTIN)."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from portal.auth import ABSOLUTE_TIMEOUT, member_required, signed_in_user
from portal.database import db, settings
from portal.extensions import limiter
from portal.i18n import current, said, say
from portal.web import bp
from portal.web.forms import ClaimCodeForm, ClaimDocumentsForm, ClaimForm, OwnContactsForm
from registry.claims import codes, contacts, documents, own_file
from registry.directory import businesses
from registry.errors import Conflict, NotFound, RateLimited, ValidationFailed
from registry.identifiers import IdentifierError, validate_gstin
from registry.models import Business, BusinessClaim, BusinessToken, utcnow

CLAIM_LIMIT = "10 per hour"
CODE_LIMIT = "30 per hour"
#: The business session: the id of the business token a verified claim gave this browser.
SESSION_KEY = "business_token_id"
SESSION_STARTED = "business_login_at"


def _business_of(business_id: str | None, gstin: str | None) -> Business | None:
    try:
        number = int(business_id) if business_id else None
    except ValueError:
        return None
    if number is not None and not 1 <= number < 2**31:
        return None
    try:
        return codes.find_business(db(), number, gstin or None)
    except (NotFound, ValidationFailed):
        return None


@bp.route("/claim", methods=["GET", "POST"])
@limiter.limit(CLAIM_LIMIT, methods=["POST"])
def claim_start() -> Response | str | tuple[str, int]:
    form = ClaimForm(business_id=request.args.get("business_id", ""))
    business = _business_of(request.args.get("business_id") or form.business_id.data, None)
    no_contact = False
    if form.validate_on_submit():
        chosen = _business_of(form.business_id.data, form.gstin.data)
        if chosen is None:
            form.gstin.errors = [*form.gstin.errors, "no business on the registry has this GSTIN"]
        else:
            try:
                started = codes.start(
                    db(), settings().secret_key, chosen, form.channel.data, lang=current()
                )
            except Conflict as exc:
                form.form_errors.append(said(exc))
                business, no_contact = chosen, True
            except RateLimited as exc:
                form.form_errors.append(said(exc))
                business = chosen
                return render_template(
                    "claims/start.html", form=form, business=business, no_contact=False
                ), 429
            else:
                flash(say("We sent a 6-digit code to %(to)s.", to=started.sent_to), "success")
                return redirect(url_for("web.claim_code", claim_id=started.claim.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "claims/start.html", form=form, business=business, no_contact=no_contact
    ), status


@bp.route("/claim/<int:claim_id>", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT, methods=["POST"])
def claim_code(claim_id: int) -> Response | str | tuple[str, int]:
    claim = db().get(BusinessClaim, claim_id)
    if claim is None or claim.method != "code" or claim.status != "pending":
        abort(404, "This claim is unknown, used or ended: start again.")
    form = ClaimCodeForm()
    if form.validate_on_submit():
        try:
            token = codes.verify(db(), settings().secret_key, claim.id, form.code.data or "")
        except ValidationFailed:
            db().commit()  # a wrong code counts although the claim does not go through
            form.code.errors = [*form.code.errors, "This code is not right."]
        except NotFound as exc:
            db().commit()
            abort(404, said(exc))
        else:
            row = db().query(BusinessToken).filter_by(token_hash=codes.token_digest(token)).one()
            session.clear()  # a fresh session: no member's login rides along
            session[SESSION_KEY] = row.id
            session[SESSION_STARTED] = int(time.time())
            flash(say("Your business is claimed: here is its whole file."), "success")
            return redirect(url_for("web.business_home"))
    status = 422 if form.is_submitted() else 200
    return render_template("claims/code.html", form=form, claim=claim), status


@bp.route("/claim/documents", methods=["GET", "POST"])
@limiter.limit(CLAIM_LIMIT, methods=["POST"])
def claim_documents() -> Response | str | tuple[str, int]:
    form = ClaimDocumentsForm(business_id=request.args.get("business_id", ""))
    business = _business_of(request.args.get("business_id") or form.business_id.data, None)
    if form.validate_on_submit():
        chosen = _business_of(form.business_id.data, form.gstin.data)
        upload = form.document.data
        if chosen is None:
            form.gstin.errors = [*form.gstin.errors, "no business on the registry has this GSTIN"]
        elif isinstance(upload, FileStorage):
            try:
                documents.submit(
                    db(),
                    settings(),
                    chosen,
                    form.email.data or "",
                    upload.filename or "document",
                    upload.read(),
                    form.note.data or "",
                )
            except ValidationFailed as exc:
                for name, message in exc.fields.items():
                    target = form.document if name == "document" else getattr(form, name, None)
                    message = said(message)
                    if target is None:
                        form.form_errors.append(message)
                    else:
                        target.errors = [*target.errors, message]
            else:
                flash(
                    say(
                        "Your documents are with the registry. We email you when an admin has "
                        "looked at them."
                    ),
                    "success",
                )
                return redirect(url_for("web.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("claims/documents.html", form=form, business=business), status


def _session_business() -> Business:
    token_id = session.get(SESSION_KEY)
    if time.time() - int(session.get(SESSION_STARTED, 0)) > ABSOLUTE_TIMEOUT:
        session.pop(SESSION_KEY, None)
        abort(404)
    row = db().get(BusinessToken, token_id) if isinstance(token_id, int) else None
    business = businesses.get(db(), row.business_id) if row and not row.revoked_at else None
    if business is None:
        abort(404)
    return business


@bp.route("/business", methods=["GET", "POST"])
def business_home() -> str | Response | tuple[str, int]:
    business = _session_business()
    form = OwnContactsForm(email=business.email, mobile=business.mobile)
    if form.validate_on_submit():
        try:
            contacts.set_own(db(), business, form.email.data or "", form.mobile.data or "")
        except ValidationFailed as exc:
            for name, message in exc.fields.items():
                field = getattr(form, name)
                field.errors = [*field.errors, said(message)]
        else:
            flash(say("Saved: notices and claim codes now reach these contacts."), "success")
            return redirect(url_for("web.business_home"))
    status = 422 if form.is_submitted() else 200
    report = own_file.whole_file(db(), business, utcnow())
    return render_template(
        "claims/business.html",
        business=business,
        report=report,
        form=form,
        inquiries=own_file.inquiries(db(), business)[:200],
    ), status


@bp.post("/business/logout")
def business_logout() -> Response:
    session.pop(SESSION_KEY, None)
    session.pop(SESSION_STARTED, None)
    return redirect(url_for("web.index"))


@bp.get("/my-business")
@member_required
def member_business() -> str:
    """A member's users see their own business's file: the member is verified for its
    own GSTIN (and the PAN inside it)."""
    member = signed_in_user().member
    if member is None:
        abort(404)
    try:
        gstin = validate_gstin(member.gstin)
    except IdentifierError:
        abort(404)
    same_pan = businesses.by_pan(db(), gstin[2:12])
    business = businesses.by_gstin(db(), gstin) or (same_pan[0] if same_pan else None)
    report = own_file.whole_file(db(), business, utcnow()) if business else None
    return render_template("claims/member.html", member=member, report=report)
