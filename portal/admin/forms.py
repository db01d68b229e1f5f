"""The admin blueprint's forms: rejecting an application, deciding a dispute."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


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
        ],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        "Reasons (both sides see them)", validators=[DataRequired(), Length(min=10, max=5000)]
    )
    submit = SubmitField("Decide")
