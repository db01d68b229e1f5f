"""Logging in (password, then a two-factor code when the account has one) and out, and
applying for membership."""

from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import end_session, signed_in_user, start_session
from portal.database import db, settings
from portal.extensions import limiter
from portal.forms import ConfirmForm, apply_field_errors
from portal.i18n import current, said, say
from portal.safety import safe_next
from portal.web import bp
from portal.web.forms import ApplicationForm, CodeForm, LoginForm
from registry.errors import NotAllowed, ValidationFailed
from registry.members import accounts, logins
from registry.models import User

# The user who passed the password step, waiting for their code (for 5 minutes).
PENDING = "pending_second_factor"
PENDING_FOR = 5 * 60


def _signed_in(user: User, next_url: str | None) -> Response:
    start_session(user)
    return redirect(safe_next(next_url) or url_for("web.index"))


def _ask_code(form: CodeForm, status: int) -> tuple[str, int]:
    return render_template("auth/code.html", form=form), status


def _second_step(user: User, code: str, next_url: str | None) -> Response | tuple[str, int]:
    form = CodeForm(formdata=None)
    until = logins.locked_until(db(), user)
    if until is not None:
        session.pop(PENDING, None)
        form.form_errors.append(logins.wait_message(until))
        return _ask_code(form, 429)
    if logins.check_second_factor(db(), user, code):
        return _signed_in(user, next_url)
    logins.record_failure(db(), user)
    db().commit()  # the failure counts although the login does not go through
    form.form_errors.append("That code is not right. Enter the 6 digits the app shows now.")
    return _ask_code(form, 422)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def login() -> Response | tuple[str, int] | str:
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    next_url = request.args.get("next")
    pending = session.get(PENDING)
    if request.method == "POST" and pending and not request.form.get("email"):
        code_form = CodeForm()
        user = db().get(User, int(pending.get("user", 0)))
        fresh = time.time() - float(pending.get("at", 0)) <= PENDING_FOR
        if user is None or not fresh:
            session.pop(PENDING, None)
            flash(say("Please log in again."), "info")
            return redirect(url_for("web.login"))
        if not code_form.validate_on_submit():
            return _ask_code(code_form, 422)
        return _second_step(user, code_form.code.data or "", pending.get("next"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db(), form.email.data or "", form.password.data or "")
        except NotAllowed as exc:
            db().commit()  # a wrong password counts against the account
            form.form_errors.append(said(exc))
        else:
            if not user.totp_secret:
                return _signed_in(user, next_url)
            code = (request.form.get("code") or "").strip()
            if code:  # both steps in one post (scripts, the CLI-made admin)
                return _second_step(user, code, next_url)
            session[PENDING] = {"user": user.id, "at": time.time(), "next": safe_next(next_url)}
            return _ask_code(CodeForm(formdata=None), 200)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    if ConfirmForm().validate_on_submit():
        if current_user.is_authenticated:
            # Every session of this user ends, not only this cookie.
            logins.end_sessions(db(), signed_in_user())
        end_session()
        flash(say("You are logged out."), "info")
    return redirect(url_for("web.login"))


@bp.route("/apply", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def apply() -> Response | tuple[str, int]:
    form = ApplicationForm()
    if form.validate_on_submit():
        application = accounts.Application(
            business_name=form.business_name.data or "",
            gstin=form.gstin.data or "",
            email=form.email.data or "",
            password=form.password.data or "",
            industry=form.industry.data or "",
            msme_category=form.msme_category.data or "none",
            language=current(),
        )
        try:
            accounts.sign_up(db(), settings(), application, form.proofs())
        except ValidationFailed as exc:
            apply_field_errors(form, exc.fields)
        else:
            flash(say("Thank you. Your application will be verified by the registry."), "success")
            return redirect(url_for("web.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/apply.html", form=form), status
