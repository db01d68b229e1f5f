"""What every blueprint's forms share: the one-button confirmation form, and putting a
service's per-field errors next to a form's fields. Each blueprint keeps its own forms
(`portal/web/forms.py`, `portal/admin/forms.py`, `portal/reports/forms.py`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import Length

from portal.i18n import lazy


class ConfirmForm(FlaskForm):
    """A bare POST button protected by CSRF (verify, revoke, log out)."""

    submit = SubmitField(lazy("Confirm"))


def apply_field_errors(form: FlaskForm, fields: dict[str, str]) -> None:
    """Show a service's per-field errors beside the form's fields."""
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


class ConfirmIdentityForm(FlaskForm):
    password = PasswordField(lazy("Password"), validators=[Length(max=256)])
    code = StringField(lazy("Or a two-factor code"), validators=[Length(max=40)])
    submit = SubmitField(lazy("Confirm"))
