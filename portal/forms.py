"""What every blueprint's forms share: the one-button confirmation form, and putting a
service's per-field errors next to a form's fields. Each blueprint keeps its own forms
(`portal/web/forms.py`, `portal/admin/forms.py`, `portal/reports/forms.py`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import Length

from portal.i18n import current, lazy, said
from registry import language


class FormTranslations:
    """WTForms' own messages from the registry's catalogue, in this request's language
    (`portal.form_messages` lists them for the catalogue)."""

    def gettext(self, string: str) -> str:
        return language.translations(current()).gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return language.translations(current()).ngettext(singular, plural, n)


class CatalogueMeta:
    """Form options: WTForms' messages in the page's language."""

    def get_translations(self, form: object) -> FormTranslations:
        return FormTranslations()


class Form(FlaskForm):  # type: ignore[misc]
    """Every portal form: CSRF from Flask-WTF, messages in the page's language."""

    Meta = CatalogueMeta


class ConfirmForm(Form):
    """A bare POST button protected by CSRF (verify, revoke, log out)."""

    submit = SubmitField(lazy("Confirm"))


def apply_field_errors(form: FlaskForm, fields: dict[str, str]) -> None:
    """Show a service's per-field errors beside the form's fields."""
    for name, text in fields.items():
        message = said(text)
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


class ConfirmIdentityForm(Form):
    password = PasswordField(lazy("Password"), validators=[Length(max=256)])
    code = StringField(lazy("Or a two-factor code"), validators=[Length(max=40)])
    submit = SubmitField(lazy("Confirm"))
