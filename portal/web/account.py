"""A signed-in user's own things: API keys."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.auth import recently_authenticated, signed_in_user
from portal.database import db
from portal.forms import ConfirmForm, apply_field_errors
from portal.i18n import say
from portal.pagination import paginate_list
from portal.web import bp
from portal.web.forms import ApiKeyForm
from registry.errors import NotFound, ValidationFailed
from registry.members import api_keys as key_service
from registry.models import utcnow


@bp.route("/account/api-keys", methods=["GET", "POST"])
@login_required
def api_keys() -> Response | tuple[str, int]:
    user = signed_in_user()
    if user.is_admin and request.method == "POST" and not recently_authenticated():
        # An admin key can do anything an admin can: confirm identity first.
        flash(say("Confirm it is you before creating an admin API key."), "info")
        return redirect(url_for("web.confirm_identity", next=url_for("web.api_keys")))
    form = ApiKeyForm()
    allowed = key_service.ROLE_SCOPES[user.role]
    choices = [
        SelectChoice(s, f"{s}: {say(key_service.SCOPE_LABELS[s])}")
        for s in key_service.SCOPES
        if s in allowed
    ]
    form.scopes.choices = choices
    new_key = None
    if form.validate_on_submit():
        days = form.expires_in_days.data
        try:
            _key, new_key = key_service.create(
                db(),
                user,
                form.name.data or "",
                current_user.actor,
                scopes=form.scopes.data or None,
                expires_at=utcnow() + timedelta(days=int(days)) if days else None,
            )
        except ValidationFailed as exc:
            apply_field_errors(form, exc.fields)
        else:
            form = ApiKeyForm(formdata=None)
            form.scopes.choices = choices
    status = 422 if form.errors else 200
    page = paginate_list(key_service.list_for_user(db(), user))
    return render_template(
        "account/api_keys.html",
        form=form,
        keys=page.items,
        page=page,
        new_key=new_key,
        revoke=ConfirmForm(),
        now=utcnow(),
    ), status


@bp.post("/account/api-keys/<int:key_id>/revoke")
@login_required
def revoke_api_key(key_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        key = key_service.revoke(db(), signed_in_user(), key_id, current_user.actor)
    except NotFound:
        abort(404)
    flash(say("Key “%(name)s” revoked; systems using it are now refused.", name=key.name), "info")
    return redirect(url_for("web.api_keys"))
