"""GSTIN and PAN checks with messages a person can act on.

The checking itself is `matching.kinds` (python-stdnum, plus the state codes 38, 97 and
99 that stdnum does not list yet); this module only turns its exceptions into words.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from matching import kinds
from registry.errors import ValidationFailed
from registry.language import N_, Said

EXTRA_STATE_CODES = frozenset(kinds.EXTRA_STATE_CODES)
_GSTIN_SHAPE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")


class IdentifierError(ValueError):
    """The message says what is wrong, fit to show next to the field."""

    def __str__(self) -> str:
        return self.args[0] if self.args and isinstance(self.args[0], str) else super().__str__()


compact = kinds.compact


def validate_pan(value: str) -> str:
    try:
        return kinds.validate_pan(value)
    except InvalidLength as exc:
        raise IdentifierError(N_("a PAN has 10 characters (e.g. AAAPL1234C)")) from exc
    except InvalidFormat as exc:
        raise IdentifierError(N_("a PAN is 5 letters, 4 digits and a letter")) from exc
    except InvalidComponent as exc:
        raise IdentifierError(N_("the PAN's 4th letter is not a known holder type")) from exc
    except ValidationError as exc:
        raise IdentifierError(N_("is not a valid PAN")) from exc


def validate_gstin(value: str) -> str:
    number = compact(value)
    if len(number) != 15:
        raise IdentifierError(N_("a GSTIN has 15 characters"))
    if not _GSTIN_SHAPE.match(number):
        raise IdentifierError(
            N_(
                "a GSTIN is a 2-digit state code, the 10-character PAN, an entity number, Z "
                "and a check character"
            )
        )
    try:
        return kinds.validate_gstin(number)
    except InvalidChecksum as exc:
        raise IdentifierError(N_("checksum does not match")) from exc
    except InvalidComponent as exc:
        try:
            validate_pan(number[2:12])
        except IdentifierError as pan_exc:
            raise IdentifierError(
                Said(N_("its PAN part is invalid: %(why)s"), why=str(pan_exc))
            ) from exc
        raise IdentifierError(Said(N_("unknown state code %(number)s"), number=number[:2])) from exc
    except ValidationError as exc:
        raise IdentifierError(N_("is not a valid GSTIN")) from exc


def pan_of_gstin(gstin: str) -> str:
    return compact(gstin)[2:12]


def gstin_for(state_code: str, pan: str, entity: str = "1") -> str:
    """The GSTIN a PAN holds in a state (its check character computed by stdnum)."""
    body = f"{state_code}{validate_pan(pan)}{entity}Z"
    return body + kinds.gstin_check_character(body)


def normalise_email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": str(exc)}) from exc


def normalise_mobile(value: str) -> str:
    """An Indian mobile number in E.164 (+91 and ten digits), from what a person typed:
    spaces, dashes, a leading 0 or +91 are all fine. Landlines and other numbers that
    cannot receive an SMS are refused with a message saying so."""
    try:
        number = phonenumbers.parse(value.strip(), "IN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed({"mobile": N_("Enter a mobile number, e.g. 98765 43210.")}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed({"mobile": N_("This is not a valid phone number.")})
    if phonenumbers.region_code_for_number(number) != "IN":
        raise ValidationFailed({"mobile": N_("Give an Indian mobile number (+91).")})
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationFailed({"mobile": N_("This is not a mobile number; SMS cannot reach it.")})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
