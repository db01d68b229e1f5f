import pytest

from registry.identifiers import (
    IdentifierError,
    gstin_for,
    pan_of_gstin,
    validate_gstin,
    validate_pan,
)


@pytest.mark.parametrize("state", ["01", "27", "37", "38", "97", "99"])
def test_real_state_codes_are_accepted(state):
    number = gstin_for(state, "AAAPL1234C")
    assert validate_gstin(number) == number


@pytest.mark.parametrize("state", ["00", "39", "40", "96", "98"])
def test_unknown_state_codes_are_refused(state):
    body = gstin_for("27", "AAAPL1234C")
    with pytest.raises(IdentifierError, match="state code"):
        validate_gstin(state + body[2:14] + "0")


def test_spacing_and_case_do_not_matter():
    number = gstin_for("29", "AAECS1234K")
    spaced = f" {number[:2]} {number[2:12].lower()}-{number[12:]} "
    assert validate_gstin(spaced) == number


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("27AAAPL1234C1Z", "15 characters"),
        ("2AAAAPL1234C1ZE", "state code, the 10-character PAN"),
        ("27AAAXL1234C1Z5", "PAN part is invalid"),
    ],
)
def test_bad_gstins_say_what_is_wrong(value, message):
    with pytest.raises(IdentifierError, match=message):
        validate_gstin(value)


def test_a_changed_character_breaks_the_checksum():
    number = gstin_for("27", "AAAPL1234C")
    wrong = number[:-1] + ("A" if number[-1] != "A" else "B")
    with pytest.raises(IdentifierError, match="checksum does not match"):
        validate_gstin(wrong)


def test_checksum_also_holds_for_the_extra_state_codes():
    number = gstin_for("99", "AAAPL1234C")
    wrong = number[:-1] + ("A" if number[-1] != "A" else "B")
    with pytest.raises(IdentifierError, match="checksum"):
        validate_gstin(wrong)


@pytest.mark.parametrize("pan", ["AAAPL1234C", "aaacl1234c", "AAAFL1234C", "AAAHL1234C"])
def test_valid_pans(pan):
    assert validate_pan(pan) == pan.upper()


@pytest.mark.parametrize(
    ("pan", "message"),
    [("AAAPL1234", "10 characters"), ("AAAP11234C", "5 letters"), ("AAAXL1234C", "holder type")],
)
def test_invalid_pans(pan, message):
    with pytest.raises(IdentifierError, match=message):
        validate_pan(pan)


def test_pan_of_gstin():
    assert pan_of_gstin(gstin_for("07", "ABCFO6666F")) == "ABCFO6666F"
