"""The admin blueprint's forms: rejecting an application, deciding a dispute."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    RadioField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason (sent to the applicant)", validators=[DataRequired(), Length(min=5, max=2000)]
    )
    submit = SubmitField("Reject")


class DecisionForm(FlaskForm):
    outcome = RadioField(
        "Decision",
        choices=[
            SelectChoice("rejected", "Reject the dispute: list the complaint"),
            SelectChoice("upheld", "Uphold the dispute: remove the complaint"),
            SelectChoice("corrected", "Correct the amount: list it at the amount that stands"),
        ],
        validators=[DataRequired()],
    )
    amount = DecimalField(
        "Amount that stands (₹), for a correction (0 settles it)",
        places=2,
        validators=[Optional(), NumberRange(min=0)],
    )
    note = TextAreaField(
        "Reasons (both sides see them)", validators=[DataRequired(), Length(min=10, max=5000)]
    )
    submit = SubmitField("Decide")


class PrivacyAnswerForm(FlaskForm):
    answer = TextAreaField(
        "Answer (emailed to the requester; an access request's answer carries the export)",
        validators=[DataRequired(), Length(min=10, max=20000)],
    )
    submit = SubmitField("Send the answer")


class ClaimDecisionForm(FlaskForm):
    outcome = RadioField(
        "Decision",
        choices=[
            SelectChoice("approve", "Approve: the email becomes the business's own contact"),
            SelectChoice("reject", "Reject"),
        ],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        "Reasons (audited; a rejection's are emailed to the claimant)",
        validators=[DataRequired(), Length(max=2000)],
    )
    submit = SubmitField("Decide")
