"""The GSTIN and PAN checks' compiled twin (`matching._kinds`) accepts exactly what
python-stdnum, the reference, accepts: every GSTIN of the dev set, and near-misses of every kind (a
changed character, a state code stdnum does not list, a PAN holder letter it does not
know, a serial of 0000, an entity number of 0, no "Z", a wrong check character, other
alphabets and lengths)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.in_ import pan as std_pan

from bench.matching_quality import DEFAULT_DATA
from matching import kinds

DATA = Path(os.environ.get("MATCHING_DATA", DEFAULT_DATA))
ALPHABET = kinds.GSTIN_ALPHABET


def reference(number: str) -> bool:
    """stdnum's answer, on the number as `validate_gstin` hands it over (compact)."""
    try:
        kinds._validate_gstin_reference(kinds.compact(number))
    except ValidationError:
        return False
    return True


def twin(number: str) -> bool:
    assert kinds._TWIN is not None
    return bool(kinds._TWIN.accepts(kinds.compact(number)))


def pan_reference(number: str) -> bool:
    return bool(std_pan.is_valid(kinds.compact(number)))


def pan_twin(number: str) -> bool:
    assert kinds._TWIN is not None
    return bool(kinds._TWIN.accepts_pan(kinds.compact(number)))


def with_check(first14: str) -> str:
    return first14 + luhn.calc_check_digit(first14, ALPHABET)


def test_the_twin_is_built_and_used():
    """`make install` builds it; without it every GSTIN goes through stdnum alone."""
    assert kinds._TWIN is not None
    assert kinds.COMPILED


@pytest.mark.parametrize("column", ["gstin", "pan"])
def test_every_gstin_and_pan_of_the_dev_set_is_judged_alike(column):
    both = {"gstin": (twin, reference), "pan": (pan_twin, pan_reference)}[column]
    with (DATA / "businesses.csv").open(encoding="utf-8") as handle:
        numbers = [row[column] for row in csv.DictReader(handle) if row[column]]
    assert len(numbers) > 10_000
    for number in numbers:
        assert both[0](number) == both[1](number) is True, number


@pytest.mark.parametrize("code", range(100))
def test_each_state_code_is_judged_alike(code):
    number = with_check(f"{code:02d}AABCM1234F1Z")
    assert twin(number) == reference(number)


@pytest.mark.parametrize("letter", [chr(c) for c in range(65, 91)])
def test_each_pan_holder_letter_is_judged_alike(letter):
    number = with_check(f"27AAB{letter}M1234F1Z")
    assert twin(number) == reference(number)


def test_the_checks_the_twin_makes_each_refuse_what_stdnum_refuses():
    valid = with_check("27AABCM1234F1Z")
    assert twin(valid) and reference(valid)
    for refused in (
        with_check("27AABCM0000F1Z"),  # the PAN's serial is 0000
        with_check("27AABCM1234F0Z"),  # entity number 0
        with_check("27AABCM1234F1Y"),  # no Z
        with_check("00AABCM1234F1Z"),  # no such state
        with_check("38AABQM1234F1Z"),  # Q holds no PAN
        valid[:-1] + ("0" if valid[-1] != "0" else "1"),  # wrong check character
        valid[:5] + "1" + valid[6:],  # a digit where the holder letter goes
        valid[:-1],
        valid + "1",
        "2" + valid[1:5] + "1" + valid[6:],  # a digit where a letter goes
        valid.replace("Z", "\N{FULLWIDTH LATIN CAPITAL LETTER Z}"),
    ):
        assert twin(refused) is reference(refused) is False, refused


def near_misses() -> st.SearchStrategy[str]:
    """Valid GSTINs of every state code and holder letter, then maybe a character changed,
    dropped or added."""
    letters = st.text(alphabet=ALPHABET[10:], min_size=1, max_size=1)
    digits = st.text(alphabet=ALPHABET[:10], min_size=4, max_size=4)
    valid = st.builds(
        lambda code, a, holder, b, serial, end, entity: with_check(
            f"{code:02d}{a}{holder}{b}{serial}{end}{entity}Z"
        ),
        st.integers(0, 99),
        st.text(alphabet=ALPHABET[10:], min_size=3, max_size=3),
        letters,
        letters,
        st.one_of(digits, st.just("0000")),
        letters,
        st.sampled_from(ALPHABET),
    )
    edits = st.tuples(
        st.sampled_from(["keep", "change", "drop", "add"]),
        st.integers(0, 15),
        st.sampled_from(ALPHABET + "az-\N{DEVANAGARI DIGIT ONE}"),
    )

    def edited(number: str, edit: tuple[str, int, str]) -> str:
        how, at, char = edit
        at = min(at, len(number) - 1)
        if how == "change":
            return number[:at] + char + number[at + 1 :]
        if how == "drop":
            return number[:at] + number[at + 1 :]
        if how == "add":
            return number[:at] + char + number[at:]
        return number

    return st.builds(edited, valid, edits)


@settings(max_examples=3000, deadline=None)
@given(near_misses())
@example("38AABCM1234F1Z" + luhn.calc_check_digit("38AABCM1234F1Z", ALPHABET))
@example("97AABCM1234F1Z" + luhn.calc_check_digit("97AABCM1234F1Z", ALPHABET))
@example("99AABCM1234F1Z" + luhn.calc_check_digit("99AABCM1234F1Z", ALPHABET))
def test_near_misses_are_judged_alike(number):
    assert twin(number) == reference(number)


@settings(max_examples=1000)
@given(st.text(max_size=20))
def test_any_text_is_judged_alike(text):
    assert twin(text) == reference(text)


def pans() -> st.SearchStrategy[str]:
    """PANs of every holder letter, serials of 0000 among them, maybe with a character
    changed, dropped or added."""
    return near_misses().map(lambda number: number[2:12] if len(number) >= 12 else number)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(pans(), st.text(max_size=12)))
@example("AAAPA0000A")
@example("AAAQA1234A")
def test_pans_are_judged_alike(number):
    assert pan_twin(number) == pan_reference(number)


def test_validate_gstin_answers_the_same_with_and_without_the_twin(monkeypatch):
    numbers = [with_check(f"{code:02d}AABCM1234F1Z") for code in (27, 38, 99, 0)]
    numbers += [" 27aabcm1234f1z" + numbers[0][-1].lower(), "27-AABCM-1234-F1Z" + numbers[0][-1]]

    def answers():
        out = []
        for number in numbers:
            try:
                out.append(kinds.validate_gstin(number))
            except ValidationError as exc:
                out.append(type(exc).__name__)
        return out

    with_twin = answers()
    monkeypatch.setattr(kinds, "COMPILED", False)
    assert answers() == with_twin
    assert with_twin[:3] == numbers[:3] and with_twin[3] == "InvalidComponent"
