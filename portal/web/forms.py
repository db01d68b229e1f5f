"""The web blueprint's forms: signing in and applying, API keys, filing a complaint and
following it, the debtor's dispute and promise, bulk import and its column mapping, the
watchlist. Field names are part of the contract where API.md says so (login `email`,
`password`; search `q`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import wtforms
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import CatalogueMeta, Form
from portal.i18n import lazy
from portal.once import once_field
from registry.bulk.batches import Document
from registry.bulk.reading import FIELDS, REQUIRED
from registry.members.documents import KINDS, Proof
from registry.models import DisputeReason


class LoginForm(Form):
    email = EmailField(lazy("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(lazy("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(lazy("Log in"))


#: What a file input offers to pick (the server sniffs the content anyway).
DOCUMENT_TYPES = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


class ApplicationForm(Form):
    business_name = StringField(
        lazy("Registered business name"), validators=[DataRequired(), Length(max=200)]
    )
    gstin = StringField(lazy("GSTIN"), validators=[DataRequired(), Length(max=20)])
    industry = StringField(lazy("Industry"), validators=[Length(max=100)])
    msme_category = SelectField(
        lazy("Udyam (MSME) registration"),
        choices=[
            SelectChoice("none", lazy("Not registered / not applicable")),
            SelectChoice("micro", lazy("Micro enterprise")),
            SelectChoice("small", lazy("Small enterprise")),
            SelectChoice("medium", lazy("Medium enterprise")),
        ],
        default="none",
    )
    email = EmailField(
        lazy("Contact email (your login)"), validators=[DataRequired(), Length(max=254)]
    )
    password = PasswordField(lazy("Password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        lazy("Password again"),
        validators=[DataRequired(), EqualTo("password", lazy("passwords differ"))],
    )
    # What the applicant proves (the service says which are required, and why).
    gst_certificate = FileField(
        lazy("GST registration certificate (Form GST REG-06): PDF, PNG or JPEG"),
        render_kw={"accept": DOCUMENT_TYPES},
    )
    udyam_certificate = FileField(
        lazy("Udyam registration certificate (micro and small suppliers): PDF, PNG or JPEG"),
        render_kw={"accept": DOCUMENT_TYPES},
    )
    submit = SubmitField(lazy("Apply for membership"))

    def proofs(self) -> list[Proof]:
        """The documents attached, as the service takes them."""
        given = []
        for kind in KINDS:
            upload = getattr(self, kind).data
            if isinstance(upload, FileStorage) and upload.filename:
                given.append(Proof(kind, upload.filename, upload.read()))
        return given


class ApiKeyForm(Form):
    name = StringField(lazy("Key name"), validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField(
        lazy("What it may do (none chosen: everything your role allows)"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    expires_in_days = SelectField(
        lazy("Expires"),
        choices=[
            SelectChoice("", lazy("never")),
            SelectChoice("30", lazy("in 30 days")),
            SelectChoice("90", lazy("in 90 days")),
            SelectChoice("365", lazy("in a year")),
        ],
        default="",
    )
    submit = SubmitField(lazy("Create key"))


INVOICE_ROWS = 1


REASONS = [
    SelectChoice(DisputeReason.ALREADY_PAID.value, lazy("We have already paid")),
    SelectChoice(DisputeReason.NOT_DELIVERED.value, lazy("Goods or services were not delivered")),
    SelectChoice(DisputeReason.WRONG_AMOUNT.value, lazy("The amount is wrong")),
    SelectChoice(DisputeReason.NOT_OUR_BUSINESS.value, lazy("This is not our business")),
    SelectChoice(DisputeReason.OTHER.value, lazy("Another reason")),
]


class InvoiceRow(wtforms.Form):  # type: ignore[misc]
    """One invoice line of the filing form (a subform: its CSRF is its parent's)."""

    Meta = CatalogueMeta

    number = StringField(lazy("Invoice number"), validators=[Optional(), Length(max=64)])
    invoice_date = DateField(lazy("Invoice date"), validators=[Optional()])
    due_date = DateField(lazy("Due date"), validators=[Optional()])
    amount = DecimalField(lazy("Amount (₹)"), places=2, validators=[Optional(), NumberRange(min=0)])
    paid = DecimalField(
        lazy("Paid so far (₹)"), places=2, validators=[Optional(), NumberRange(min=0)]
    )

    def is_blank(self) -> bool:
        return not any(
            [self.number.data, self.invoice_date.data, self.due_date.data, self.amount.data]
        )


class FilingForm(Form):
    debtor_name = StringField(lazy("Business name"), validators=[Length(max=300)])
    debtor_gstin = StringField(lazy("GSTIN"), validators=[Optional(), Length(max=20)])
    debtor_pan = StringField(lazy("PAN"), validators=[Optional(), Length(max=12)])
    debtor_city = StringField(lazy("City"), validators=[Optional(), Length(max=100)])
    debtor_state = StringField(lazy("State"), validators=[Optional(), Length(max=100)])
    debtor_email = StringField(
        lazy("Debtor's email (for the notice)"), validators=[Optional(), Length(max=254)]
    )
    debtor_mobile = TelField(
        lazy("Debtor's mobile (notice by SMS and WhatsApp)"),
        validators=[Optional(), Length(max=20)],
    )
    business_id = HiddenField()
    choice = RadioField(lazy("Which business is it?"), choices=[], validate_choice=False)
    invoices = FieldList(FormField(InvoiceRow), min_entries=INVOICE_ROWS, max_entries=50)
    evidence = MultipleFileField(
        lazy("Evidence: invoice, purchase order or ledger extract (PDF, PNG, JPEG)")
    )
    note = TextAreaField(
        lazy("Note for the registry and the debtor"), validators=[Optional(), Length(max=5000)]
    )
    once = once_field()
    submit = SubmitField(lazy("File complaint"))


class NoteForm(Form):
    note = TextAreaField(lazy("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(lazy("Mark settled"))


class DisputeForm(Form):
    reason = SelectField(lazy("Reason"), choices=REASONS, validators=[DataRequired()])
    statement = TextAreaField(
        lazy("Your statement"), validators=[DataRequired(), Length(min=10, max=5000)]
    )
    documents = MultipleFileField(lazy("Documents (PDF, PNG, JPEG), e.g. payment proof"))
    submit = SubmitField(lazy("Raise dispute"))


class PromiseForm(Form):
    pay_by = DateField(lazy("We will pay by"), validators=[DataRequired()])
    submit = SubmitField(lazy("Tell the supplier"))


class ImportForm(Form):
    file = FileField(
        lazy("CSV of overdue invoices"),
        validators=[FileRequired(lazy("choose the CSV file to import"))],
    )
    documents = MultipleFileField(lazy("Evidence documents (PDF, PNG or JPEG)"))
    submit = SubmitField(lazy("Upload and preview"))


class DocumentsForm(Form):
    documents = MultipleFileField(lazy("More evidence documents (PDF, PNG or JPEG)"))
    submit = SubmitField(lazy("Add documents"))


class MappingForm(Form):
    """One select per field; its choices are the file's column headers."""

    submit = SubmitField(lazy("Use these columns and preview"))


def mapping_form(
    headers: Sequence[str], mapping: Mapping[str, str], samples: Mapping[str, str]
) -> MappingForm:
    class Form(MappingForm):
        pass

    for field, label in FIELDS.items():
        empty = lazy("required: choose a column") if field in REQUIRED else lazy("(none)")
        if field == "amount":
            empty = lazy("choose a column (or map the amount outstanding)")
        choices = [SelectChoice("", empty)]
        choices += [
            SelectChoice(
                h,
                lazy("%(column)s: e.g. %(sample)s", column=h, sample=samples[h])
                if samples.get(h)
                else h,
            )
            for h in headers
        ]
        setattr(
            Form, field, SelectField(lazy(label), choices=choices, default=mapping.get(field, ""))
        )
    return Form()


class WatchForm(Form):
    business_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    next = HiddenField()
    submit = SubmitField(lazy("Watch"))


def uploaded(files: object) -> list[Document]:
    """The files a multiple-file field received (empty inputs dropped)."""
    if not isinstance(files, list):
        return []
    return [
        Document(item.filename or "document", item.read())
        for item in files
        if isinstance(item, FileStorage) and item.filename
    ]


class CodeForm(Form):
    """Login's second step, and confirming identity for a sensitive act."""

    code = StringField(lazy("Code"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(lazy("Continue"))


class PasswordChangeForm(Form):
    current_password = PasswordField(
        lazy("Current password"), validators=[DataRequired(), Length(max=256)]
    )
    password = PasswordField(lazy("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        lazy("New password again"),
        validators=[DataRequired(), EqualTo("password", message=lazy("The two do not match."))],
    )
    submit = SubmitField(lazy("Change password"))


class ForgotPasswordForm(Form):
    email = EmailField(lazy("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(lazy("Email me a link"))


class ResetPasswordForm(Form):
    password = PasswordField(lazy("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        lazy("New password again"),
        validators=[DataRequired(), EqualTo("password", message=lazy("The two do not match."))],
    )
    submit = SubmitField(lazy("Set password"))


class TwoFactorForm(Form):
    code = StringField(lazy("Code from the app"), validators=[DataRequired(), Length(max=10)])
    submit = SubmitField(lazy("Turn on two-factor"))


class ClaimForm(Form):
    business_id = HiddenField()
    gstin = StringField(lazy("Your GSTIN"), validators=[Optional(), Length(max=20)])
    channel = RadioField(
        lazy("Send the code by"),
        choices=[SelectChoice("email", lazy("Email")), SelectChoice("sms", lazy("SMS"))],
        default="email",
        validators=[InputRequired()],
    )
    submit = SubmitField(lazy("Send me a code"))


class ClaimCodeForm(Form):
    code = StringField(lazy("The 6-digit code"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(lazy("Claim the business"))


class ClaimDocumentsForm(Form):
    business_id = HiddenField()
    gstin = StringField(lazy("Your GSTIN"), validators=[Optional(), Length(max=20)])
    email = EmailField(lazy("Your email"), validators=[DataRequired(), Length(max=254)])
    document = FileField(
        lazy("GST registration certificate (Form GST REG-06), PDF, PNG or JPEG"),
        validators=[FileRequired(lazy("choose the certificate"))],
    )
    note = TextAreaField(lazy("Anything the registry should know"), validators=[Length(max=2000)])
    submit = SubmitField(lazy("Send for review"))


class OwnContactsForm(Form):
    email = EmailField(lazy("Email for notices"), validators=[Optional(), Length(max=254)])
    mobile = StringField(lazy("Mobile for notices"), validators=[Optional(), Length(max=20)])
    submit = SubmitField(lazy("Save our contacts"))


class NamedInInquiriesForm(Form):
    """Whether businesses whose reports this member pulls may see its name."""

    named = RadioField(
        lazy("Businesses whose reports we pull see"),
        choices=[
            SelectChoice("no", lazy("only our industry and state (the default)")),
            SelectChoice("yes", lazy("our name, industry and state")),
        ],
        validators=[InputRequired()],
    )
    submit = SubmitField(lazy("Save"))
