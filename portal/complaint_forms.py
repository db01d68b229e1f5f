"""Forms of the complaint's life: filing (invoice rows, evidence), settling, the
debtor's dispute and promise, the admin's decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from registry.models import DisputeReason

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


class DecisionForm(FlaskForm):
    outcome = RadioField(
        "Decision",
        choices=[
            SelectChoice("rejected", "Reject the dispute: list the complaint"),
            SelectChoice("upheld", "Uphold the dispute: remove the complaint"),
        ],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        "Reasons (both sides see them)", validators=[DataRequired(), Length(min=10, max=5000)]
    )
    submit = SubmitField("Decide")
