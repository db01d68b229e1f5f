"""A user's own credentials: changing or resetting the password, turning on two-factor,
and confirming identity before a sensitive act."""

from __future__ import annotations

import segno
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.auth import confirm_identity as mark_confirmed
from portal.auth import signed_in_user, start_session
from portal.database import db, settings
from portal.extensions import limiter
from portal.forms import ConfirmIdentityForm, apply_field_errors
from portal.i18n import current, say
from portal.safety import safe_next
from portal.web import bp
from portal.web.forms import (
    ForgotPasswordForm,
    PasswordChangeForm,
    ResetPasswordForm,
    TwoFactorForm,
)
from registry.errors import NotAllowed, ValidationFailed
from registry.members import logins
from registry.members.passwords import verify_password

# The secret being enrolled lives in the (signed) session until the user proves it.
ENROLLING = "enrolling_totp_secret"


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def change_password() -> Response | tuple[str, int]:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = signed_in_user()
        try:
            logins.change_password(
                db(), user, form.current_password.data or "", form.password.data or ""
            )
        except ValidationFailed as exc:
            apply_field_errors(form, exc.fields)
        else:
            start_session(user)  # this browser stays in; every other session has ended
            flash(say("Your password is changed. Every other session was logged out."), "success")
            return redirect(url_for("web.change_password"))
    status = 422 if form.is_submitted() else 200
    return render_template("account/password.html", form=form), status


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password() -> Response | tuple[str, int]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        logins.request_reset(
            db(), form.email.data or "", settings().public_base_url, asked_in=current()
        )
        # The same answer whether or not the email has a login.
        flash(
            say(
                "If that email has a login, a link to reset the password is on its way. "
                "It works once, for one hour."
            ),
            "info",
        )
        return redirect(url_for("web.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str) -> Response | tuple[str, int]:
    if logins.reset_target(db(), token) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            logins.reset_password(db(), token, form.password.data or "")
        except ValidationFailed as exc:
            apply_field_errors(form, exc.fields)
        except NotAllowed:
            return render_template("auth/reset_invalid.html"), 404
        else:
            session.clear()
            flash(say("Your password is set. Every session was logged out; log in now."), "success")
            return redirect(url_for("web.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor() -> Response | tuple[str, int]:
    user = signed_in_user()
    form = TwoFactorForm()
    codes: list[str] | None = None
    secret = session.get(ENROLLING)
    if not user.totp_secret and not secret:
        secret = session[ENROLLING] = logins.new_totp_secret()
    if not user.totp_secret and form.validate_on_submit() and secret:
        try:
            codes = logins.enable_totp(db(), user, secret, form.code.data or "")
        except ValidationFailed as exc:
            apply_field_errors(form, exc.fields)
        else:
            session.pop(ENROLLING, None)
            mark_confirmed()
    qr = None
    if not user.totp_secret and secret:
        qr = segno.make(logins.provisioning_uri(user, secret), error="m").svg_data_uri(scale=4)
    status = 422 if form.errors else 200
    return render_template(
        "account/two_factor.html",
        form=form,
        enabled=bool(user.totp_secret),
        secret=secret if not user.totp_secret else None,
        qr=qr,
        codes=codes,
        codes_left=logins.recovery_codes_left(db(), user),
        required=user.is_admin,
    ), status


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def confirm_identity() -> Response | tuple[str, int]:
    """Type the password (or a two-factor code) again before a sensitive act."""
    user = signed_in_user()
    form = ConfirmIdentityForm()
    next_url = safe_next(request.args.get("next")) or url_for("web.index")
    if form.validate_on_submit():
        code = (form.code.data or "").strip()
        if logins.locked_until(db(), user) is None and (
            (form.password.data and verify_password(user.password_hash, form.password.data))
            or (code and logins.check_second_factor(db(), user, code))
        ):
            mark_confirmed()
            return redirect(next_url)
        logins.record_failure(db(), user)
        db().commit()
        form.form_errors.append("That is not right.")
    status = 422 if form.is_submitted() else 200
    return render_template("account/confirm.html", form=form), status
