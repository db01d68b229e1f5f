"""The admin blueprint's forms: rejecting an application, deciding a dispute."""

from __future__ import annotations

from wtforms import (
    DecimalField,
    RadioField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import Form
from portal.i18n import lazy


class RejectForm(Form):
    reason = TextAreaField(
        lazy("Reason (sent to the applicant)"), validators=[DataRequired(), Length(min=5, max=2000)]
    )
    submit = SubmitField(lazy("Reject"))


class DecisionForm(Form):
    outcome = RadioField(
        lazy("Decision"),
        choices=[
            SelectChoice("rejected", lazy("Reject the dispute: list the complaint")),
            SelectChoice("upheld", lazy("Uphold the dispute: remove the complaint")),
            SelectChoice(
                "corrected", lazy("Correct the amount: list it at the amount that stands")
            ),
        ],
        validators=[DataRequired()],
    )
    amount = DecimalField(
        lazy("Amount that stands (₹), for a correction (0 settles it)"),
        places=2,
        validators=[Optional(), NumberRange(min=0)],
    )
    note = TextAreaField(
        lazy("Reasons (both sides see them)"), validators=[DataRequired(), Length(min=10, max=5000)]
    )
    submit = SubmitField(lazy("Decide"))


class PrivacyAnswerForm(Form):
    answer = TextAreaField(
        lazy("Answer (emailed to the requester; an access request's answer carries the export)"),
        validators=[DataRequired(), Length(min=10, max=20000)],
    )
    submit = SubmitField(lazy("Send the answer"))


class ClaimDecisionForm(Form):
    outcome = RadioField(
        lazy("Decision"),
        choices=[
            SelectChoice("approve", lazy("Approve: the email becomes the business's own contact")),
            SelectChoice("reject", lazy("Reject")),
        ],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        lazy("Reasons (audited; a rejection's are emailed to the claimant)"),
        validators=[DataRequired(), Length(max=2000)],
    )
    submit = SubmitField(lazy("Decide"))
