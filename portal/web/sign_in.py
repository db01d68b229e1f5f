"""Logging in and out, and applying for membership."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.auth import SignedIn
from portal.database import db
from portal.extensions import limiter
from portal.forms import ConfirmForm, apply_field_errors
from portal.safety import safe_next
from portal.web import bp
from portal.web.forms import ApplicationForm, LoginForm
from registry.errors import NotAllowed, ValidationFailed
from registry.members import accounts


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def login() -> Response | tuple[str, int] | str:
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db(), form.email.data or "", form.password.data or "")
        except NotAllowed as exc:
            form.form_errors.append(exc.message)
        else:
            session.clear()  # a fresh session on every login: no fixation
            login_user(SignedIn(user))
            return redirect(safe_next(request.args.get("next")) or url_for("web.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    if ConfirmForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
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
        )
        try:
            accounts.apply(db(), application)
        except ValidationFailed as exc:
            apply_field_errors(form, exc.fields)
        else:
            flash("Thank you. Your application will be verified by the registry.", "success")
            return redirect(url_for("web.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/apply.html", form=form), status
