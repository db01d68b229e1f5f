"""Spelling habits of real traders that the name still has to survive.

Words run together ("Goyalricemill", "Balajitraders"), trade words abbreviated without a
dot at the end of a name ("Balaji Ent", "Sharma Pkg"), a trailing "(India)", the trade
named in Hindi or in English ("Masale"/"Spices"), and "co-operative" however it is
shortened ("Co-op", "Coop").
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.index import InMemoryIndex
from matching.normalise import normalise


def same_name(a: str, b: str) -> bool:
    na, nb = normalise(a), normalise(b)
    return na.folded_tokens == nb.folded_tokens and na.legal_form == nb.legal_form


@pytest.mark.parametrize(
    "written",
    [
        "Saraswat Co-op Bank Ltd",
        "Saraswat Co-op. Bank Ltd",
        "Saraswat Co Op Bank Ltd",
        "Saraswat Co-Opp. Bank Ltd",
        "Saraswat Coop Bank Ltd",
        "Saraswat Cooperative Bank Ltd",
        "SARASWAT CO-OPERATIVE BANK LIMITED",
    ],
)
def test_co_operative_is_one_word_however_shortened(written: str) -> None:
    name = normalise(written)
    assert name.tokens == ("saraswat", "cooperative", "bank")
    assert same_name(written, "Saraswat Co-operative Bank Ltd")


@pytest.mark.parametrize(
    "query", ["Saraswat Co-op Bank", "SARASWAT COOP. BANK LTD", "Saraswat Cooperative Bank"]
)
def test_a_co_operative_is_found_however_shortened(query: str) -> None:
    idx = InMemoryIndex()
    idx.add(1, "Saraswat Co-operative Bank Ltd", "Mumbai")
    idx.add(2, "Saraswat Trading Co", "Mumbai")
    idx.add(3, "Saraswat Bank Employees Credit Society", "Mumbai")
    idx.add(4, "Saraswat Company Bank Agents", "Mumbai")
    found = idx.search(query, limit=5)
    assert found[0][0] == 1
    assert found[0][1] > found[1][1] + 10


@pytest.mark.parametrize("written", ["C.O. Operative Traders", "C O Op Traders"])
def test_the_initials_c_o_before_op_are_initials(written: str) -> None:
    name = normalise(written)
    assert name.tokens[0] == "co" and "co" in name.initials
    again = normalise(name.core)
    assert (again.core, again.tokens, again.initials) == (name.core, name.tokens, name.initials)


def test_a_co_operative_is_not_a_company() -> None:
    """The word "company" (what "Co" after a name means) is not in a co-operative's name."""
    assert "company" not in normalise("Naidu Co-op Credit Society").tokens
    assert not same_name("Saraswat Co-op Bank", "Saraswat Co Bank")


@pytest.mark.parametrize(
    ("written", "spaced"),
    [
        ("Goyalricemill", "Goyal Rice Mill"),
        ("Balajitraders", "Balaji Traders"),
        ("BALAJITRADERS PVT LTD", "Balaji Traders Pvt Ltd"),
        ("Balajitraderspvtltd", "Balaji Traders Pvt Ltd"),
        ("Mukherjeetrading Company", "Mukherjee Trading Company"),
        ("Radhekrishnachemicals", "Radhekrishna Chemicals"),
        ("Elite Glasshouse", "Elite Glass House"),
        ("Jkpaints", "JK Paints"),
        ("Sanitaryware Mart", "Sanitary Ware Mart"),
        ("Shreeganesh Traders", "Shree Ganesh Traders"),
        ("Jaimatadi Paints", "Jai Matadi Paints"),
        ("Shreesiddhivinayak Marbles", "Shree Siddhivinayak Marbles"),
    ],
)
def test_words_run_together_read_as_written_apart(written: str, spaced: str) -> None:
    assert same_name(written, spaced)


# Guards for the splitting above (they hold without it too): what must not be split.
@pytest.mark.parametrize(
    ("written", "tokens"),
    [
        # a typo of a trade word is one word to correct, not two to split
        ("Mittal Ahrdware", 2),
        ("Rao Tectiles", 2),
        ("Rao Extiles", 2),
        # an auspicious-looking start of an ordinary name stays
        ("Jaiswal Traders", 2),
        ("Sriram Steels", 2),
        # and a trade word that ends in another one
        ("Sharma Hardware", 2),
        ("Sharma Textiles", 2),
    ],
)
def test_words_that_only_look_run_together_stay_whole(written: str, tokens: int) -> None:
    assert len(normalise(written).folded_tokens) == tokens


@pytest.mark.parametrize(
    ("written", "full"),
    [
        ("Balaji Ent", "Balaji Enterprises"),
        ("Sharma Pkg", "Sharma Packaging"),
        ("Gupta Ind.", "Gupta Industries"),
        ("Gupta Ind", "Gupta Industries"),
        ("Rao Dist.", "Rao Distributors"),
        ("Rao Distr", "Rao Distributors"),
        ("Rao Trdrs", "Rao Traders"),
        ("Tulsiani Plast", "Tulsiani Plastics"),
        ("Star Const.", "Star Constructions"),
        ("Mittal H/W & Sons", "Mittal Hardware & Sons"),
        ("Ahuja Chem.", "Ahuja Chemicals"),
        ("Nilgiri Jwlrs", "Nilgiri Jewellers"),
    ],
)
def test_trade_word_abbreviations_expand(written: str, full: str) -> None:
    assert same_name(written, full)


def test_short_abbreviations_at_the_start_stay_initials() -> None:
    assert normalise("Ent Traders").core == "ent traders"
    assert normalise("Ind Traders").core == "ind traders"


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("Durga Pipes India", "Durga Pipes"),
        ("Sethi Timber Mart (India) Pvt Ltd", "Sethi Timber Mart Pvt Ltd"),
        ("Sethi Timber Mart India Private Limited", "Sethi Timber Mart Pvt Ltd"),
        ("Umiya Traders (I)", "Umiya Traders"),
        ("Patel Impex (Ind) Pvt Ltd", "Patel Impex Pvt Ltd"),
        ("Nilgiri Jewellers (India)", "Nilgiri Jewellers"),
    ],
)
def test_a_trailing_india_is_not_part_of_the_name(written: str, plain: str) -> None:
    assert same_name(written, plain)


@pytest.mark.parametrize(
    ("written", "other"),
    [
        ("Bajrang Masale", "Bajrang Spices"),
        ("Bajrang Masala", "Bajrang Spices"),
        ("Matrix Chawal Mill", "Matrix Rice Mill"),
        ("Om Grocery Store", "Om Kirana Stores"),
        ("Ganga Cloth House", "Ganga Vastra Bhandar"),
    ],
)
def test_trade_named_in_hindi_or_english_is_the_same_trade(written: str, other: str) -> None:
    assert same_name(written, other)


DIRECTORY = [
    (1, "India Pipes", "Jalandhar"),
    (2, "Durga Pipes", "Jalandhar"),
    (3, "Mukherjee Trading Company", "Kolkata"),
    (4, "Goyal Rice Mill", "Siliguri"),
    (5, "Shree Siddhi Vinayak Marbles", "Pune"),
    (6, "Sharma Paints", "Madurai"),
    (7, "Sharma Packaging", "Madurai"),
    (8, "Bajrang Marbles", "Patna"),
    (9, "Bajrang Spices", "Patna"),
    (10, "Mittal Agencies & Sons", "Agra"),
    (11, "Mittal Hardware & Sons", "Agra"),
    (12, "Jai Mata Di Paints Limited", "Kochi"),
    (13, "Radhe Krishna Chemicals", "Jabalpur"),
    (14, "Malhotra Builders", "Delhi"),
    (15, "India Builders", "Delhi"),
    (16, "Elite Glass House", "Jabalpur"),
    (17, "Sri Venkateswara Textiles", "Chennai"),
    (18, "Om Sai Kirana Stores", "Nagpur"),
    (19, "Punjab Steel Works", "Ludhiana"),
    (20, "Khodiyar Auto Parts", "Rajkot"),
]
FILLER = ["Traders", "Enterprises", "Industries", "Pipes", "Builders", "Paints", "Marbles"]


@pytest.fixture(scope="module")
def index() -> InMemoryIndex:
    idx = InMemoryIndex()
    for id_, name, city in DIRECTORY:
        idx.add(id_, name, city)
    for n, trade in enumerate(FILLER * 20):
        idx.add(1000 + n, f"Filler{n:03d} {trade}", "Delhi")
    return idx


def top(index: InMemoryIndex, q: str, city: str | None = None) -> int | None:
    found = index.search(q, city=city, limit=5)
    return found[0][0] if found else None


@pytest.mark.parametrize(
    ("query", "truth"),
    [
        ("Mukherjeetrading Company", 3),
        ("goyalricemill", 4),
        ("shreesiddhivinayakmarbles", 5),
        ("jaimatadipaints Ltd", 12),
        ("radhekrishnachemicals", 13),
        ("eliteglasshouse", 16),
        ("Sharma Pkg", 7),
        ("Bajrang Masale", 9),
        ("Mittal H/W & Sons", 11),
    ],
)
def test_search_survives_the_habit(index: InMemoryIndex, query: str, truth: int) -> None:
    assert top(index, query) == truth


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(DIRECTORY), st.data())
def test_running_two_words_together_still_finds_the_name(
    index: InMemoryIndex, business: tuple[int, str, str], data: st.DataObject
) -> None:
    id_, name, _ = business
    words = name.split()
    at = data.draw(st.integers(0, len(words) - 2))
    joined = [*words[:at], words[at] + words[at + 1].lower(), *words[at + 2 :]]
    assert top(index, " ".join(joined)) == id_


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(DIRECTORY))
def test_running_all_name_words_together_still_finds_the_name(
    index: InMemoryIndex, business: tuple[int, str, str]
) -> None:
    id_, name, _ = business
    core = normalise(name).core.split()
    legal = " Ltd" if name.endswith("Limited") else ""
    assert top(index, "".join(core) + legal) == id_
