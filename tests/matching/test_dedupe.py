"""Duplicate proposals follow the identifier and place rules."""

from __future__ import annotations

import pytest

from matching.dedupe import DedupeRecord, DuplicatePair, canonical_tokens, find_duplicates
from matching.kinds import gstin_check_character


def gstin(state: str, pan: str) -> str:
    first14 = state + pan + "1Z"
    return first14 + gstin_check_character(first14)


PAN_A = "AAPFU0939F"
PAN_B = "ABCPK1234L"


def pairs(records: list[DedupeRecord]) -> dict[tuple[int, int], DuplicatePair]:
    return {(min(p.a, p.b), max(p.a, p.b)): p for p in find_duplicates(records)}


def test_same_name_same_city_is_proposed_with_reasons() -> None:
    found = pairs(
        [
            DedupeRecord(1, "M/s. Shree Balaji Traders", city="Pune"),
            DedupeRecord(2, "Sri Balaji Traders", city="Pune"),
        ]
    )
    assert (1, 2) in found
    assert "names match after normalisation" in found[(1, 2)].reasons
    assert "same city" in found[(1, 2)].reasons


def test_same_name_in_different_cities_is_not_proposed() -> None:
    found = pairs(
        [
            DedupeRecord(1, "Shree Balaji Traders", city="Pune"),
            DedupeRecord(2, "Shree Balaji Traders", city="Surat"),
        ]
    )
    assert found == {}


def test_same_gstin_is_the_same_business_even_across_names_and_cities() -> None:
    number = gstin("27", PAN_A)
    found = pairs(
        [
            DedupeRecord(1, "Balaji Traders", gstin=number, city="Pune"),
            DedupeRecord(2, "BT Enterprises", gstin=number.lower(), city="Mumbai"),
        ]
    )
    assert found[(1, 2)].score == 100
    assert "same GSTIN" in found[(1, 2)].reasons


def test_same_pan_is_the_same_legal_entity() -> None:
    found = pairs(
        [
            DedupeRecord(1, "Balaji Traders", pan=PAN_A, city="Pune"),
            DedupeRecord(2, "Balaji Trading Co", gstin=gstin("24", PAN_A), city="Surat"),
        ]
    )
    assert "same PAN" in found[(1, 2)].reasons


def test_two_gstins_of_one_pan_are_flagged_as_one_entity() -> None:
    found = pairs(
        [
            DedupeRecord(1, "Balaji Traders", gstin=gstin("27", PAN_A), city="Pune"),
            DedupeRecord(2, "Balaji Traders", gstin=gstin("24", PAN_A), city="Surat"),
        ]
    )
    assert found[(1, 2)].reasons[:2] == ("same PAN", "different GSTINs of one legal entity")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"pan": PAN_A}, {"pan": PAN_B}),
        ({"gstin": gstin("27", PAN_A)}, {"gstin": gstin("27", PAN_B)}),
        ({"gstin": gstin("27", PAN_A)}, {"pan": PAN_B}),
    ],
)
def test_different_identifiers_are_never_proposed(a: dict[str, str], b: dict[str, str]) -> None:
    found = pairs(
        [
            DedupeRecord(1, "Shree Balaji Traders", city="Pune", **a),
            DedupeRecord(2, "Shree Balaji Traders", city="Pune", **b),
        ]
    )
    assert found == {}


def test_one_identifier_missing_lets_names_decide() -> None:
    found = pairs(
        [
            DedupeRecord(1, "Shree Balaji Traders", pan=PAN_A, city="Pune"),
            DedupeRecord(2, "Shri Balaji Traders", city="Pune"),
        ]
    )
    assert (1, 2) in found


def test_typos_are_proposed() -> None:
    found = pairs(
        [
            DedupeRecord(1, "Durga Spices Private Limited", city="Delhi"),
            DedupeRecord(2, "Durta Spices Pvt Ltd", city="Delhi"),
            DedupeRecord(3, "Durga Spicea Private Limited", city="Delhi"),
        ]
    )
    assert set(found) == {(1, 2), (1, 3), (2, 3)}


def test_different_businesses_in_one_city_are_not_proposed() -> None:
    found = pairs(
        [
            DedupeRecord(1, "Laxmi Narayan Builders Private Limited", city="Kolkata"),
            DedupeRecord(2, "Laxmi Narayan Fasteners Private Limited", city="Kolkata"),
            DedupeRecord(3, "Marwar Textiles", city="Kolkata"),
        ]
    )
    assert found == {}


def test_conflicting_legal_forms_are_not_proposed() -> None:
    found = pairs(
        [
            DedupeRecord(1, "Marwar Textiles Private Limited", city="Pune"),
            DedupeRecord(2, "Marwar Textiles LLP", city="Pune"),
        ]
    )
    assert found == {}


def test_record_without_city_pairs_with_any_city() -> None:
    found = pairs(
        [
            DedupeRecord(1, "Marwar Textiles LLP", city="Pune"),
            DedupeRecord(2, "Marwar Textile L.L.P."),
        ]
    )
    assert (1, 2) in found
    assert "city missing on one record" in found[(1, 2)].reasons


def test_typos_fold_into_the_common_spelling() -> None:
    canon = canonical_tokens({"durg": 10, "durt": 1, "marvar": 3, "sri": 50})  # type: ignore[arg-type]
    assert canon["durt"] == "durg"
    assert canon["marvar"] == "marvar"


def test_scale_is_not_quadratic() -> None:
    """2,000 same-city names built from a small vocabulary: blocking keeps pairs few."""
    words = ["Shree", "Balaji", "Ganesh", "Marwar", "Rao", "Agarwal", "Mehta", "Jain"]
    trades = ["Traders", "Textiles", "Steels", "Agency", "Foods"]
    records = [
        DedupeRecord(
            i, f"{words[i % 8]} {words[(i // 8) % 8]} {trades[(i // 64) % 5]} {i}", city="Pune"
        )
        for i in range(2000)
    ]
    assert len(find_duplicates(records)) < 2000
