"""What a search box query is: a GSTIN, a PAN, or a name.

Validation is python-stdnum's (`stdnum.in_.gstin`, `stdnum.in_.pan`). One gap, checked by
the tests: stdnum 2.2's state table stops at 37, so it rejects GSTINs of state codes that
are real today: 38 (Ladakh), 97 (Other Territory) and 99 (Centre Jurisdiction), raising
`InvalidComponent`. For those codes only, `validate_gstin` repeats stdnum's other checks
using stdnum's own pieces: its PAN validation and its Luhn mod 36 checksum
(`stdnum.luhn` with the GSTIN alphabet).

A bulk load checks a million GSTINs, and stdnum cleans each three to four times over: a
compiled twin (`matching._kinds`) says yes to a valid number in one pass, with the state
codes and PAN holder letters that stdnum accepts (asked of it when this module loads);
anything it does not accept goes to stdnum, which says why. `COMPILED = False` uses
stdnum alone, and the tests hold the two to the same answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import ascii_uppercase
from types import ModuleType
from typing import Literal

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.in_ import gstin as std_gstin
from stdnum.in_ import pan as std_pan

from matching.compiled import compiled_twin

QueryKindName = Literal["gstin", "pan", "name"]

GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# State codes in use that stdnum 2.2 does not list.
EXTRA_STATE_CODES: dict[str, str] = {
    "38": "Ladakh",
    "97": "Other Territory",
    "99": "Centre Jurisdiction",
}

_SEPARATORS = re.compile(r"[\s\-./]+")
_GSTIN_SHAPE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][0-9A-Z]{3}$")
_PAN_SHAPE = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")


def compact(text: str) -> str:
    """Uppercase, without spaces, hyphens, dots or slashes."""
    return _SEPARATORS.sub("", text).upper()


def validate_gstin(number: str) -> str:
    """The compact GSTIN if valid, else a stdnum `ValidationError` saying why."""
    number = compact(number)
    if COMPILED and _TWIN is not None and _TWIN.accepts(number):
        return number
    return _validate_gstin_reference(number)


def _validate_gstin_reference(number: str) -> str:
    """`validate_gstin` by python-stdnum alone, on a compact number: the reference, and
    the one that says why a number is refused."""
    try:
        return str(std_gstin.validate(number))
    except InvalidComponent:
        if number[:2] not in EXTRA_STATE_CODES or not _GSTIN_SHAPE.match(number):
            raise
    if number[12] == "0" or number[13] != "Z":
        raise InvalidComponent()
    std_pan.validate(number[2:12])
    luhn.validate(number, GSTIN_ALPHABET)
    return number


def _configure_twin(twin: ModuleType | None) -> None:
    """Give the compiled twin the tables the reference accepts, asked of the reference
    itself: each state code (a GSTIN otherwise valid, under each of 00 to 99) and each PAN
    holder letter (a PAN otherwise valid)."""
    if twin is None:
        return
    states = []
    for code in range(100):
        body = f"{code:02d}AAAPA1234A1Z"
        try:
            _validate_gstin_reference(body + luhn.calc_check_digit(body, GSTIN_ALPHABET))
        except ValidationError:
            continue
        states.append(code)
    holders = [letter for letter in ascii_uppercase if std_pan.is_valid(f"AAA{letter}A1234A")]
    twin.configure(states, holders)


#: The compiled twin of the GSTIN check (`matching._kinds`), None when not built.
_TWIN = compiled_twin("matching._kinds")
#: Whether `validate_gstin` asks the twin first (False: the reference alone).
COMPILED = _TWIN is not None
_configure_twin(_TWIN)


def is_valid_gstin(number: str) -> bool:
    try:
        validate_gstin(number)
    except ValidationError:
        return False
    return True


def validate_pan(number: str) -> str:
    """The compact PAN if valid, else a stdnum `ValidationError` saying why."""
    number = compact(number)
    if COMPILED and _TWIN is not None and _TWIN.accepts_pan(number):
        return number
    return str(std_pan.validate(number))


def is_valid_pan(number: str) -> bool:
    try:
        validate_pan(number)
    except ValidationError:
        return False
    return True


def gstin_check_character(first14: str) -> str:
    """The check character stdnum's Luhn mod 36 gives the first 14 characters."""
    return str(luhn.calc_check_digit(compact(first14), GSTIN_ALPHABET))


def pan_of_gstin(gstin: str) -> str:
    """The PAN inside a GSTIN (characters 3 to 12); the GSTIN must be valid."""
    return validate_gstin(gstin)[2:12]


def gstin_state(gstin: str) -> str | None:
    """The state or territory a valid GSTIN is registered in."""
    number = validate_gstin(gstin)
    if number[:2] in EXTRA_STATE_CODES:
        return EXTRA_STATE_CODES[number[:2]]
    state = std_gstin.info(number)["state"]
    return str(state) if state else None


def clean_gstin(value: str | None) -> str | None:
    """A valid GSTIN in compact form, or None for empty or invalid input."""
    if not value or not value.strip():
        return None
    try:
        return validate_gstin(value)
    except ValidationError:
        return None


def clean_pan(value: str | None) -> str | None:
    """A valid PAN in compact form, or None for empty or invalid input."""
    if not value or not value.strip():
        return None
    try:
        return validate_pan(value)
    except ValidationError:
        return None


@dataclass(frozen=True, slots=True)
class QueryKind:
    """The query's kind and its value (compact for identifiers, trimmed for names).

    `error` is set when the query is shaped like a GSTIN or PAN but fails validation, so
    the caller can say "checksum does not match" instead of searching names for it.
    """

    kind: QueryKindName
    value: str
    error: str | None = None


def _error_text(exc: ValidationError, kind: QueryKindName) -> str:
    if isinstance(exc, InvalidChecksum):
        return "checksum does not match"
    if isinstance(exc, InvalidComponent):
        if kind == "gstin":
            return "unknown state code, PAN holder type or entity number"
        return "unknown PAN holder type or serial number"
    return "not a valid " + kind.upper()


def detect_kind(q: str) -> QueryKind:
    """Decide whether a search box query is a GSTIN, a PAN or a name."""
    value = compact(q)
    if len(value) == 15 and _GSTIN_SHAPE.match(value):
        try:
            return QueryKind("gstin", validate_gstin(value))
        except ValidationError as exc:
            return QueryKind("gstin", value, _error_text(exc, "gstin"))
    if len(value) == 10 and _PAN_SHAPE.match(value):
        try:
            return QueryKind("pan", validate_pan(value))
        except ValidationError as exc:
            return QueryKind("pan", value, _error_text(exc, "pan"))
    return QueryKind("name", " ".join(q.split()))
