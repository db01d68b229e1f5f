"""Portal forms. Field names are part of the contract where API.md says so
(login `email`/`password`, search `q`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Log in")


class ApplicationForm(FlaskForm):
    business_name = StringField(
        "Registered business name", validators=[DataRequired(), Length(max=200)]
    )
    gstin = StringField("GSTIN", validators=[DataRequired(), Length(max=20)])
    industry = StringField("Industry", validators=[Length(max=100)])
    msme_category = SelectField(
        "Udyam (MSME) registration",
        choices=[
            SelectChoice("none", "Not registered / not applicable"),
            SelectChoice("micro", "Micro enterprise"),
            SelectChoice("small", "Small enterprise"),
            SelectChoice("medium", "Medium enterprise"),
        ],
        default="none",
    )
    email = EmailField("Contact email (your login)", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        "Password again", validators=[DataRequired(), EqualTo("password", "passwords differ")]
    )
    submit = SubmitField("Apply for membership")


class ApiKeyForm(FlaskForm):
    name = StringField("Key name", validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField(
        "What it may do (none chosen: everything your role allows)",
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    expires_in_days = SelectField(
        "Expires",
        choices=[
            SelectChoice("", "never"),
            SelectChoice("30", "in 30 days"),
            SelectChoice("90", "in 90 days"),
            SelectChoice("365", "in a year"),
        ],
        default="",
    )
    submit = SubmitField("Create key")


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason (sent to the applicant)", validators=[DataRequired(), Length(min=5, max=2000)]
    )
    submit = SubmitField("Reject")


class ConfirmForm(FlaskForm):
    """A bare POST button protected by CSRF (verify, revoke, log out)."""

    submit = SubmitField("Confirm")


def apply_field_errors(form: FlaskForm, fields: dict[str, str]) -> None:
    """Show a service's per-field errors beside the form's fields."""
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


class CodeForm(FlaskForm):
    """Login's second step, and confirming identity for a sensitive act."""

    code = StringField("Code", validators=[DataRequired(), Length(max=40)])
    submit = SubmitField("Continue")


class ConfirmIdentityForm(FlaskForm):
    password = PasswordField("Password", validators=[Length(max=256)])
    code = StringField("Or a two-factor code", validators=[Length(max=40)])
    submit = SubmitField("Confirm")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=256)]
    )
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two do not match.")],
    )
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Email me a link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two do not match.")],
    )
    submit = SubmitField("Set password")


class TwoFactorForm(FlaskForm):
    code = StringField("Code from the app", validators=[DataRequired(), Length(max=10)])
    submit = SubmitField("Turn on two-factor")
