"""The web blueprint's forms: signing in and applying, API keys, filing a complaint and
following it, the debtor's dispute and promise, bulk import and its column mapping, the
watchlist. Field names are part of the contract where API.md says so (login `email`,
`password`; search `q`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from registry.bulk.batches import Document
from registry.bulk.reading import FIELDS, REQUIRED
from registry.models import DisputeReason


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


INVOICE_ROWS = 1


REASONS = [
    SelectChoice(DisputeReason.ALREADY_PAID.value, "We have already paid"),
    SelectChoice(DisputeReason.NOT_DELIVERED.value, "Goods or services were not delivered"),
    SelectChoice(DisputeReason.WRONG_AMOUNT.value, "The amount is wrong"),
    SelectChoice(DisputeReason.NOT_OUR_BUSINESS.value, "This is not our business"),
    SelectChoice(DisputeReason.OTHER.value, "Another reason"),
]


class InvoiceRow(Form):
    number = StringField("Invoice number", validators=[Optional(), Length(max=64)])
    invoice_date = DateField("Invoice date", validators=[Optional()])
    due_date = DateField("Due date", validators=[Optional()])
    amount = DecimalField("Amount (₹)", places=2, validators=[Optional(), NumberRange(min=0)])
    paid = DecimalField("Paid so far (₹)", places=2, validators=[Optional(), NumberRange(min=0)])

    def is_blank(self) -> bool:
        return not any(
            [self.number.data, self.invoice_date.data, self.due_date.data, self.amount.data]
        )


class FilingForm(FlaskForm):
    debtor_name = StringField("Business name", validators=[Length(max=300)])
    debtor_gstin = StringField("GSTIN", validators=[Optional(), Length(max=20)])
    debtor_pan = StringField("PAN", validators=[Optional(), Length(max=12)])
    debtor_city = StringField("City", validators=[Optional(), Length(max=100)])
    debtor_state = StringField("State", validators=[Optional(), Length(max=100)])
    debtor_email = StringField(
        "Debtor's email (for the notice)", validators=[Optional(), Length(max=254)]
    )
    business_id = HiddenField()
    choice = RadioField("Which business is it?", choices=[], validate_choice=False)
    invoices = FieldList(FormField(InvoiceRow), min_entries=INVOICE_ROWS, max_entries=50)
    evidence = MultipleFileField(
        "Evidence: invoice, purchase order or ledger extract (PDF, PNG, JPEG)"
    )
    note = TextAreaField(
        "Note for the registry and the debtor", validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField("File complaint")


class NoteForm(FlaskForm):
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Mark settled")


class DisputeForm(FlaskForm):
    reason = SelectField("Reason", choices=REASONS, validators=[DataRequired()])
    statement = TextAreaField(
        "Your statement", validators=[DataRequired(), Length(min=10, max=5000)]
    )
    documents = MultipleFileField("Documents (PDF, PNG, JPEG), e.g. payment proof")
    submit = SubmitField("Raise dispute")


class PromiseForm(FlaskForm):
    pay_by = DateField("We will pay by", validators=[DataRequired()])
    submit = SubmitField("Tell the supplier")


class ImportForm(FlaskForm):
    file = FileField(
        "CSV of overdue invoices", validators=[FileRequired("choose the CSV file to import")]
    )
    documents = MultipleFileField("Evidence documents (PDF, PNG or JPEG)")
    submit = SubmitField("Upload and preview")


class DocumentsForm(FlaskForm):
    documents = MultipleFileField("More evidence documents (PDF, PNG or JPEG)")
    submit = SubmitField("Add documents")


class MappingForm(FlaskForm):
    """One select per field; its choices are the file's column headers."""

    submit = SubmitField("Use these columns and preview")


def mapping_form(
    headers: Sequence[str], mapping: Mapping[str, str], samples: Mapping[str, str]
) -> MappingForm:
    class Form(MappingForm):
        pass

    for field, label in FIELDS.items():
        empty = "required: choose a column" if field in REQUIRED else "(none)"
        if field == "amount":
            empty = "choose a column (or map the amount outstanding)"
        choices = [SelectChoice("", empty)]
        choices += [
            SelectChoice(h, f"{h}: e.g. {samples[h]}" if samples.get(h) else h) for h in headers
        ]
        setattr(Form, field, SelectField(label, choices=choices, default=mapping.get(field, "")))
    return Form()


class WatchForm(FlaskForm):
    business_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    next = HiddenField()
    submit = SubmitField("Watch")


def uploaded(files: object) -> list[Document]:
    """The files a multiple-file field received (empty inputs dropped)."""
    if not isinstance(files, list):
        return []
    return [
        Document(item.filename or "document", item.read())
        for item in files
        if isinstance(item, FileStorage) and item.filename
    ]


class CodeForm(FlaskForm):
    """Login's second step, and confirming identity for a sensitive act."""

    code = StringField("Code", validators=[DataRequired(), Length(max=40)])
    submit = SubmitField("Continue")


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


class NamedInInquiriesForm(FlaskForm):
    """Whether businesses whose reports this member pulls may see its name."""

    named = RadioField(
        "Businesses whose reports we pull see",
        choices=[
            SelectChoice("no", "only our industry and state (the default)"),
            SelectChoice("yes", "our name, industry and state"),
        ],
        validators=[InputRequired()],
    )
    submit = SubmitField("Save")
