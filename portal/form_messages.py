"""WTForms' own messages ("This field is required." ...) as the catalogue holds them, so a
Hindi page shows them in Hindi. WTForms ships no Hindi, so its texts are copied here for
extraction (`make messages`) and every form reads them from the registry's catalogue
(`portal.forms.Form`)."""

from __future__ import annotations

from registry.language import N_

MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
)


def _plurals() -> None:  # never called: marks WTForms' plural messages for extraction
    from portal.i18n import say_plural

    say_plural(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        0,
    )
    say_plural(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        0,
    )
    say_plural(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        0,
    )
    say_plural(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        0,
    )
