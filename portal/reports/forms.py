"""Forms of the report pages."""

from __future__ import annotations

from wtforms import IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired, NumberRange

from portal.forms import Form
from portal.i18n import lazy


class BusinessIdForm(Form):
    """Buy a report by business id (a GET form: it only leads to the confirmation page)."""

    class Meta:
        csrf = False

    business_id = IntegerField(
        lazy("Business id"),
        validators=[
            InputRequired(lazy("enter a business id")),
            NumberRange(min=1, message=lazy("not an id")),
        ],
    )


class TestCheckoutForm(Form):
    """The test gateway's page: its Pay and Fail buttons both submit `outcome`."""

    __test__ = False
    outcome = StringField(validators=[AnyOf(["paid", "failed"], "choose Pay or Fail")])
