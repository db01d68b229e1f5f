"""Search box kind detection and identifier validation (GSTIN, PAN)."""

from __future__ import annotations

import pytest
from stdnum.exceptions import InvalidComponent
from stdnum.in_ import gstin as std_gstin

from matching.kinds import (
    EXTRA_STATE_CODES,
    clean_gstin,
    detect_kind,
    gstin_check_character,
    gstin_state,
    is_valid_gstin,
    is_valid_pan,
    pan_of_gstin,
)

VALID_GSTIN = "27AAPFU0939F1ZV"  # stdnum's own example


def with_state(code: str, body: str = "AAPFU0939F1Z") -> str:
    first14 = code + body
    return first14 + gstin_check_character(first14)


@pytest.mark.parametrize(
    "typed",
    [
        VALID_GSTIN,
        VALID_GSTIN.lower(),
        "27 AAPFU 0939 F1ZV",
        "27-AAPFU0939F-1ZV",
        " 27aapfu0939f1zv ",
    ],
)
def test_gstin_is_detected_however_typed(typed: str) -> None:
    kind = detect_kind(typed)
    assert (kind.kind, kind.value, kind.error) == ("gstin", VALID_GSTIN, None)


@pytest.mark.parametrize("typed", ["AAPFU0939F", "aapfu0939f", "AAPFU 0939 F", "aapfu-0939-f"])
def test_pan_is_detected_however_typed(typed: str) -> None:
    kind = detect_kind(typed)
    assert (kind.kind, kind.value, kind.error) == ("pan", "AAPFU0939F", None)


@pytest.mark.parametrize(
    ("typed", "kind", "error"),
    [
        ("27AAPFU0939F1ZO", "gstin", "checksum does not match"),
        ("27AAPXU0939F1ZV", "gstin", "unknown state code, PAN holder type or entity number"),
        ("AAPXU0939F", "pan", "unknown PAN holder type or serial number"),
        ("AAPFU0000F", "pan", "unknown PAN holder type or serial number"),
    ],
)
def test_identifier_shaped_but_invalid_says_why(typed: str, kind: str, error: str) -> None:
    found = detect_kind(typed)
    assert (found.kind, found.error) == (kind, error)


@pytest.mark.parametrize(
    "typed", ["Shree Balaji Traders", "M/s. A.B.C. Steels", "27AAPFU", "Ram 786", "", "   "]
)
def test_anything_else_is_a_name(typed: str) -> None:
    assert detect_kind(typed).kind == "name"


def test_name_value_is_trimmed_and_single_spaced() -> None:
    assert detect_kind("  Shree   Balaji  ").value == "Shree Balaji"


@pytest.mark.parametrize("code", sorted(EXTRA_STATE_CODES))
def test_stdnum_rejects_state_codes_38_97_99(code: str) -> None:
    """Documents the library gap the wrapper fills (fails once stdnum learns them)."""
    with pytest.raises(InvalidComponent):
        std_gstin.validate(with_state(code))


@pytest.mark.parametrize(("code", "state"), sorted(EXTRA_STATE_CODES.items()))
def test_we_accept_real_state_codes_38_97_99(code: str, state: str) -> None:
    number = with_state(code)
    assert is_valid_gstin(number)
    assert detect_kind(number).kind == "gstin"
    assert detect_kind(number).error is None
    assert gstin_state(number) == state
    assert pan_of_gstin(number) == "AAPFU0939F"


@pytest.mark.parametrize("code", ["38", "97", "99"])
def test_extra_state_codes_still_check_the_checksum(code: str) -> None:
    number = with_state(code)
    wrong = number[:-1] + ("A" if number[-1] != "A" else "B")
    assert not is_valid_gstin(wrong)
    assert detect_kind(wrong).error == "checksum does not match"


@pytest.mark.parametrize("code", ["38", "99"])
def test_extra_state_codes_still_check_the_pan_and_z(code: str) -> None:
    assert not is_valid_gstin(with_state(code, "AAPXU0939F1Z"))  # X is no PAN holder type
    assert not is_valid_gstin(with_state(code, "AAPFU0939F1Y"))  # 14th must be Z
    assert not is_valid_gstin(with_state(code, "AAPFU0939F0Z"))  # entity number 0


@pytest.mark.parametrize("code", ["00", "39", "40", "96", "98"])
def test_unused_state_codes_are_rejected(code: str) -> None:
    assert not is_valid_gstin(with_state(code))


def test_known_state_code_uses_stdnum() -> None:
    assert gstin_state(VALID_GSTIN) == "Maharashtra"


def test_pan_of_gstin_is_the_pan_inside() -> None:
    assert pan_of_gstin("27aapfu0939f1zv") == "AAPFU0939F"
    assert is_valid_pan(pan_of_gstin(VALID_GSTIN))


def test_clean_gstin_drops_invalid_and_empty() -> None:
    assert clean_gstin(" 27aapfu0939f1zv") == VALID_GSTIN
    assert clean_gstin("27AAPFU0939F1ZO") is None
    assert clean_gstin("") is None
    assert clean_gstin(None) is None
