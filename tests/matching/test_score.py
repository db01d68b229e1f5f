"""Scoring: rare words decide, legal form and city are signals, scores stay in 0..100."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalise import normalise
from matching.score import Candidate, TokenStats, name_similarity, score, token_similarity

# A directory where trade words are common and family/place words rare.
STATS = TokenStats(
    {
        "trader": 5000,
        "textile": 4000,
        "sri": 6000,
        "steel": 3000,
        "marvar": 20,
        "rao": 40,
        "agarval": 300,
        "ganes": 900,
        "balaji": 700,
        "kirana": 1500,
        "store": 2500,
    },
    100_000,
)


def cand(id: int, name: str, city: str | None = None, state: str | None = None) -> Candidate:
    return Candidate.build(id, name, city, state)


def test_rare_word_beats_trade_word() -> None:
    query = "Marwar Traders"
    same_rare = cand(1, "Marwar Textiles")
    same_trade = cand(2, "Rao Traders")
    assert score(query, same_rare, STATS) > score(query, same_trade, STATS) + 20


def test_dropping_a_trade_word_costs_less_than_dropping_a_rare_word() -> None:
    full = cand(1, "Marwar Steel Traders")
    assert score("Marwar Steel", full, STATS) > score("Steel Traders", full, STATS)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("M/s Shree Balaji Traders Pvt. Ltd.", "Shree Balaji Traders Private Limited"),
        ("Sri Balaji Traders", "Shree Balaji Traders"),
        ("Traders Balaji Shree", "Shree Balaji Traders"),
        ("Shree Baalaji Tradres", "Shree Balaji Traders"),
        ("A.B.C. Steels", "ABC Steel"),
    ],
)
def test_variants_of_a_name_score_high(query: str, name: str) -> None:
    assert score(query, cand(1, name), STATS) >= 85


def test_query_without_legal_form_is_not_penalised() -> None:
    with_form = cand(1, "Marwar Textiles Private Limited")
    without = cand(2, "Marwar Textiles")
    assert score("Marwar Textiles", with_form, STATS) == score("Marwar Textiles", without, STATS)


def test_conflicting_legal_form_ranks_below_matching_one() -> None:
    pvt = cand(1, "Marwar Textiles Private Limited")
    llp = cand(2, "Marwar Textiles LLP")
    assert score("Marwar Textiles Pvt Ltd", pvt, STATS) > score(
        "Marwar Textiles Pvt Ltd", llp, STATS
    )


def test_city_strongly_prefers_the_business_there() -> None:
    pune = cand(1, "Marwar Textiles", "Pune", "Maharashtra")
    surat = cand(2, "Marwar Textiles", "Surat", "Gujarat")
    in_pune = score("Marwar Textiles", pune, STATS, city="Pune")
    in_surat = score("Marwar Textiles", surat, STATS, city="Pune")
    assert in_pune == 100
    assert in_pune - in_surat >= 15


def test_city_prefers_even_a_slightly_worse_spelling() -> None:
    pune = cand(1, "Marwar Textile Traders", "Pune")
    surat = cand(2, "Marwar Textiles", "Surat")
    assert score("Marwar Textiles", pune, STATS, city="pune") > score(
        "Marwar Textiles", surat, STATS, city="pune"
    )


def test_city_written_in_the_name_acts_as_the_city() -> None:
    pune = cand(1, "Marwar Textiles", "Pune")
    surat = cand(2, "Marwar Textiles", "Surat")
    assert score("Marwar Textiles, Pune", pune, STATS) > score(
        "Marwar Textiles, Pune", surat, STATS
    )


def test_old_city_names_count_as_the_same_city() -> None:
    blr = cand(1, "Marwar Textiles", "Bengaluru")
    assert score("Marwar Textiles", blr, STATS, city="Bangalore") == 100


def test_state_narrows_too() -> None:
    guj = cand(1, "Marwar Textiles", "Surat", "Gujarat")
    mah = cand(2, "Marwar Textiles", "Pune", "Maharashtra")
    assert score("Marwar Textiles", guj, STATS, state="gujarat") > score(
        "Marwar Textiles", mah, STATS, state="gujarat"
    )


def test_exact_spelling_wins_a_transliteration_tie() -> None:
    sethi = cand(1, "Sethi Exports")
    shetty = cand(2, "Shetty Exports")
    assert score("Sethi Exports", sethi, STATS) > score("Sethi Exports", shetty, STATS)


def test_split_word_meets_joined_word() -> None:
    assert score("Maha Laxmi Kirana Store", cand(1, "Mahalaxmi Kirana Stores"), STATS) >= 85


def test_unrelated_names_score_low() -> None:
    assert score("Marwar Textiles", cand(1, "Agarwal Kirana Store"), STATS) < 30


@pytest.mark.parametrize(
    ("query", "meant", "other"),
    [
        # "Nd" for "Ind": not industries yet, and "Steels" the rarer word would win alone
        ("a. k. r. nd", "A.K.R. Industries Limited", "A.K.R. Steels & Co"),
        # "Cl" for "Co": company, against a name that leaves the typo unexplained
        ("M/s. Ahuja Trading Cl", "Ahuja Trading Company LLP", "Ahuja Traders"),
        # "Au" for "Aum" (Om)
        ("Au Sai Polmyers", "Om Sai Polymers", "A.U. Polymers"),
    ],
)
def test_a_typo_in_a_short_form_finds_the_word_it_stands_for(
    query: str, meant: str, other: str
) -> None:
    stats = TokenStats(
        {
            "akr": 10,
            "industri": 29_000,
            "stil": 30_000,
            "compani": 15_000,
            "ahuj": 400,
            "trader": 60_000,
            "om": 20_000,
            "sai": 25_000,
            "polimer": 9_000,
            "au": 50,
        },
        1_000_000,
    )
    city = "Secunderabad" if "Sai" in query else None
    assert score(query, cand(1, meant, city), stats, city) > score(
        query, cand(2, other, "Faridabad" if city else None), stats, city
    )


@pytest.mark.parametrize(
    ("query", "initials", "word"),
    [
        ("MK Traders", "M.K. Traders", "Market Traders"),
        ("KG Steels", "K.G. Steels", "Packaging Steels"),
    ],
)
def test_initials_typed_undotted_are_not_read_as_a_garbled_abbreviation(
    query: str, initials: str, word: str
) -> None:
    """Undotted "MK" is one letter from "Mkt" (market) and "KG" from "Pkg" (packaging), but
    the initials come first, even where the word is as rare as a name can be."""
    assert score(query, cand(1, initials), STATS) > score(query, cand(2, word), STATS) + 10


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("balaji", "balaji", 1.0, 1.0),
        ("balaji", "balaj", 0.8, 0.9),
        ("krisn", "xyz", 0.0, 0.0),
        ("ent", "enterprise", 0.8, 0.8),
        ("ctt", "tct", 0.85, 0.85),
        # two initials the other way round are likelier someone else (P.N. is not N.P.):
        # no closer than any one slip in two letters
        ("pn", "np", 0.5, 0.5),
        ("cl", "lc", 0.5, 0.5),
    ],
)
def test_token_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= token_similarity(a, b) <= high


def test_reversed_pair_of_initials_does_not_outrank_a_longer_run_of_them() -> None:
    query = "PN Yarns LTD"
    reversed_initials = cand(1, "N.P. Yarns")
    one_more_initial = cand(2, "P.N.A. Yarns Limited")
    assert score(query, one_more_initial, STATS) > score(query, reversed_initials, STATS)


NAME = st.lists(
    st.sampled_from(
        [
            "Shree",
            "Balaji",
            "Marwar",
            "Textiles",
            "Traders",
            "Rao",
            "Agarwal",
            "Ganesh",
            "Steel",
            "J.K.",
            "Kirana",
            "Store",
            "Pvt Ltd",
            "LLP",
            "& Sons",
        ]
    ),
    min_size=0,
    max_size=5,
).map(" ".join)
CITY = st.sampled_from([None, "Pune", "Surat", "Bengaluru"])


@settings(max_examples=300, deadline=None)
@given(NAME, NAME, CITY, CITY)
def test_score_is_between_0_and_100(
    query: str, name: str, city: str | None, cand_city: str | None
) -> None:
    value = score(query, cand(1, name, cand_city), STATS, city=city)
    assert 0.0 <= value <= 100.0


@settings(max_examples=300, deadline=None)
@given(NAME, NAME)
def test_balanced_name_similarity_is_symmetric(a: str, b: str) -> None:
    na, nb = normalise(a), normalise(b)
    forward = name_similarity(na, nb, STATS.weight, query_share=0.5)
    backward = name_similarity(nb, na, STATS.weight, query_share=0.5)
    assert forward == pytest.approx(backward, abs=0.05)


@settings(max_examples=200, deadline=None)
@given(NAME)
def test_a_name_matches_itself_fully(name: str) -> None:
    if normalise(name).folded_tokens:
        assert score(name, cand(1, name), STATS) == 100.0


@given(
    st.sampled_from(["Shree Balaji Traders", "M.K. Steels Pvt Ltd", "Laxmi Vastralaya"]),
    st.sampled_from([None, "pune"]),
    st.lists(st.sampled_from(["Balaji Trading Co", "Lakshmi Textiles"]), max_size=2),
)
def test_a_candidate_read_from_the_index_file_is_the_one_its_fields_make(
    name: str, city: str | None, aliases: list[str]
) -> None:
    """`Candidate.of` (how the index file's reader makes ~110 a search) is `Candidate(...)`:
    equal, the same hash, and as frozen."""
    parts = (7, normalise(name), city, "maharashtra", tuple(normalise(a) for a in aliases))
    made, read = Candidate(*parts), Candidate.of(*parts)
    assert read == made and hash(read) == hash(made)
    with pytest.raises(AttributeError):
        read.city = "surat"  # type: ignore[misc]


@given(
    frequencies=st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=6), st.integers(0, 10**7), max_size=30
    ),
    total=st.integers(0, 10**7),
    asked_first=st.lists(st.text("abcdefgh", min_size=1, max_size=6), max_size=5),
)
def test_weights_worked_out_at_once_are_the_weights_worked_out_one_by_one(
    frequencies, total, asked_first
):
    """`weigh` (a search's words' frequencies read together) leaves each word the weight
    `weight` gives it from `doc_freq`, bit for bit, and does not change one asked before."""
    one_by_one = TokenStats(dict(frequencies), total)
    at_once = TokenStats(dict(frequencies), total)
    before = {word: at_once.weight(word) for word in asked_first}
    at_once.weigh({word: frequencies.get(word, 0) for word in [*frequencies, "unheard"]})
    for word in [*frequencies, *asked_first, "unheard"]:
        assert at_once.weight(word) == one_by_one.weight(word)
    assert all(at_once.weight(word) == weight for word, weight in before.items())


def test_a_kept_stats_reads_only_the_frequencies_of_words_it_has_not_weighed(monkeypatch):
    """`weigh_new` (a search's words, with a `TokenStats` kept from search to search) reads
    the frequencies of the words not weighed yet, and nothing when all are; past
    `_WEIGHTS_KEPT` words it lets them go and weighs afresh. The weights are `weight`'s."""
    frequencies = {"balaji": 3, "trader": 40, "marwar": 1, "steel": 9}
    stats = TokenStats(dict(frequencies), 100)
    read: list[set[str]] = []

    def frequencies_of(words):
        read.append(set(words))
        return {word: frequencies.get(word, 0) for word in words}

    stats.weigh_new({"balaji", "trader"}, frequencies_of)
    stats.weigh_new({"trader", "marwar", "unheard"}, frequencies_of)
    stats.weigh_new({"marwar", "balaji"}, frequencies_of)
    assert read == [{"balaji", "trader"}, {"marwar", "unheard"}]

    monkeypatch.setattr(sys.modules[TokenStats.__module__], "_WEIGHTS_KEPT", 5)
    stats.weigh_new({"steel", "balaji", "iron"}, frequencies_of)  # 4 at hand + 2 new > 5
    stats.weigh_new({"balaji", "steel"}, frequencies_of)  # let go but for the last two
    assert read[2:] == [{"steel", "iron"}, {"balaji"}]
    fresh = TokenStats(dict(frequencies), 100)
    for word in [*frequencies, "unheard", "iron"]:
        assert stats.weight(word) == fresh.weight(word)
