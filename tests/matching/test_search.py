"""Blocking keys and search over the in-memory index: the truth is found and ranked first."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.index import InMemoryIndex
from matching.keys import (
    COMMON_TOKENS,
    name_keys,
    pair_key,
    query_keys,
    token_key,
    vocabulary_entries,
    vocabulary_keys,
    whole_key,
)
from matching.normalise import normalise
from matching.score import Candidate
from matching.search import _top, search_name

DIRECTORY = [
    (1, "Marwar Textiles Private Limited", "Pune", "Maharashtra"),
    (2, "Marwar Textiles LLP", "Surat", "Gujarat"),
    (3, "Shree Balaji Traders", "Jaipur", "Rajasthan"),
    (4, "Shree Balaji Traders & Sons", "Pune", "Maharashtra"),
    (5, "Agarwal Steel Traders", "Kanpur", "Uttar Pradesh"),
    (6, "Khandelwal Cement Agency", "Jaipur", "Rajasthan"),
    (7, "J.K. Paints", "Indore", "Madhya Pradesh"),
    (8, "Mahalaxmi Kirana Stores", "Nagpur", "Maharashtra"),
    (9, "Sri Venkateswara Textiles", "Chennai", "Tamil Nadu"),
    (10, "Rao Traders", "Hyderabad", "Telangana"),
    (11, "Bengal Forgings Brothers", "Howrah", "West Bengal"),
    (12, "Umiya Vastra Bhandar", "Surat", "Gujarat"),
    (13, "Saraswati Dal Mill", "Rajkot", "Gujarat"),
    (14, "Sethi Exports & Sons", "Mangaluru", "Karnataka"),
    (15, "Shetty Exports", "Mangaluru", "Karnataka"),
]
FILLER = [
    "Traders",
    "Enterprises",
    "Industries",
    "Steel Traders",
    "Textiles",
    "Kirana Stores",
]


@pytest.fixture(scope="module")
def index() -> InMemoryIndex:
    idx = InMemoryIndex()
    for id_, name, city, state in DIRECTORY:
        idx.add(id_, name, city, state)
    # common words must be common for their weights to be low
    for n, trade in enumerate(FILLER * 20):
        idx.add(1000 + n, f"Filler{n:03d} {trade}", "Delhi", "Delhi")
    return idx


def top(index: InMemoryIndex, q: str, city: str | None = None) -> int | None:
    found = index.search(q, city=city, limit=5)
    return found[0][0] if found else None


@pytest.mark.parametrize(
    ("query", "city", "truth"),
    [
        ("Marwar Textiles Pvt Ltd", None, 1),
        ("marwar textiles llp", None, 2),
        ("Marwar Textiles", "Surat", 2),
        ("Marwar Textiles", "Pune", 1),
        ("M/s. Shree Balaji Traders", "Jaipur", 3),
        ("Sri Balaji Traders and Sons", None, 4),
        ("Shri Baalaji Traders", "Pune", 4),
        ("Traders Balaji Shree", "Jaipur", 3),
        ("Aggarwal Steel Traders", None, 5),
        ("Agrawal Steels", None, 5),
        ("Khanelwal Cemnet Agency", None, 6),
        ("JK Paints", None, 7),
        ("J. K. Paints", None, 7),
        ("Maha Lakshmi Kirana Store", None, 8),
        ("Sree Venkateshwara Textile", None, 9),
        ("Bengal Forgings Bros.", None, 11),
        ("Umiya Vastralaya", None, 12),
        ("Saraswathi Dal Mills", None, 13),
        ("Sethi Exports", None, 14),
        ("Marwar Textiles, Surat", None, 2),
    ],
)
def test_search_ranks_the_truth_first(
    index: InMemoryIndex, query: str, city: str | None, truth: int
) -> None:
    assert top(index, query, city) == truth


def test_scores_are_sorted_and_bounded(index: InMemoryIndex) -> None:
    found = index.search("Balaji Traders", limit=5)
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_rare_word_query_finds_it_without_trade_word_noise(index: InMemoryIndex) -> None:
    found = index.search("Marwar Traders", limit=3)
    assert found[0][0] in (1, 2)


def test_gibberish_finds_nothing_useful(index: InMemoryIndex) -> None:
    assert all(score < 50 for _, score in index.search("Xqzt Vvbn", limit=5))


def test_aliases_are_found(index: InMemoryIndex) -> None:
    idx = InMemoryIndex()
    idx.add(1, "Durga Hardware", "Kanpur", aliases=["Maa Durga Hardware Stores"])
    assert idx.search("Maa Durga Hardware Store")[0][0] == 1


class CutLists(InMemoryIndex):
    """Posting lists count as long from 6 ids on, as the registry's do from 1,001."""

    posting_limit = 5


def test_a_name_with_more_namesakes_than_a_posting_list_holds_still_finds_them() -> None:
    """At 1.5 crore names a common name's own keys (the whole name, its pair, its family
    word) each list thousands of businesses. Their heads still count: the namesakes are
    scored, not only the look-alikes whose keys are short (this searched "Malhotra Steels
    LLP" and showed "Malhotra Seeds LLP")."""
    idx = CutLists()
    cities = ["Pune", "Surat", "Jaipur", "Agra", "Indore", "Kanpur"]
    for n in range(12):
        idx.add(n + 1, "Malhotra Steels", cities[n % len(cities)])
    idx.add(100, "Malhotra Seeds LLP", "Agra")
    idx.add(101, "Malhotra Oil Mills", "Agra")
    idx.add(102, "Balhotra Steel Traders", "Agra")
    found = search_name("Malhotra Steels LLP", idx, limit=3)
    assert all(1 <= m.id <= 12 and m.score > 95 for m in found), found
    # in the asked city, its namesake first
    assert search_name("Malhotra Steels", idx, city="Indore", limit=1)[0].id in (5, 11)


def test_results_come_best_first_and_namesakes_of_one_score_by_their_lower_id() -> None:
    """However the index lists them: a better-spelt name first, then businesses of the
    same name and place (one score) from the earliest registered, with their scores."""
    idx = InMemoryIndex()
    for business_id in (40, 7, 23, 15):
        idx.add(business_id, "Durga Steel Works", "Pune", "Maharashtra")
    idx.add(90, "Durga Steel Works Private Limited", "Pune", "Maharashtra")
    found = search_name("Durga Steel Works Pvt Ltd", idx, city="Pune", limit=4)
    assert [m.id for m in found] == [90, 7, 15, 23]
    assert found[0].score > found[1].score == found[2].score == found[3].score > 0
    assert all(isinstance(m.score, float) for m in found)


@given(
    scores=st.lists(st.sampled_from([0.0, 12.5, 60.0, 60.0000001, 87.25, 100.0]), max_size=40),
    limit=st.integers(-2, 45),
    data=st.data(),
)
def test_the_best_few_are_those_a_sort_of_all_would_give(
    scores: list[float], limit: int, data: st.DataObject
) -> None:
    """Ties at the cut included (scores drawn from a few values), any order of the ids."""
    ids = data.draw(st.permutations(range(100, 100 + len(scores))))
    expected = sorted((-score, bid) for score, bid in zip(scores, ids, strict=True))[:limit]
    assert _top(scores, ids, limit) == expected


def test_name_keys_skip_common_words_alone_but_pair_them() -> None:
    keys = name_keys("Shree Balaji Traders")
    assert token_key("balaji") in keys
    assert token_key("sri") not in keys and token_key("trader") not in keys
    assert pair_key("sri", "trader") in keys
    assert "sri" in COMMON_TOKENS


def test_name_keys_survive_word_order_and_legal_forms() -> None:
    shuffled = name_keys("M/s Traders Balaji Shree Pvt Ltd")
    pairs = {pair_key("sri", "balaji"), pair_key("sri", "trader"), pair_key("balaji", "trader")}
    assert pairs <= shuffled & name_keys("Shree Balaji Traders")


def test_name_keys_are_few() -> None:
    assert len(name_keys("Shree Balaji Traders")) <= 10
    assert len(name_keys("Shree Siddhi Vinayak Kirana Stores & Associates")) <= 30


def test_whole_name_key_ignores_order() -> None:
    assert whole_key(["sri", "balaji"]) in name_keys("Balaji Shree")


def test_joined_and_split_names_share_a_key() -> None:
    assert name_keys("Sai Ram Traders") & name_keys("Sairam Traders")


def test_single_common_word_name_still_has_a_key() -> None:
    assert name_keys("Traders") == {token_key("trader")}


def test_query_keys_without_vocabulary_are_exact() -> None:
    keys = {k.key for k in query_keys("Balaji Traders")}
    assert keys == {
        token_key("balaji"),
        pair_key("balaji", "trader"),
        token_key("balajitrader"),
        whole_key(["trader", "balaji"]),
    }


def test_typo_meets_the_vocabulary_through_deletions() -> None:
    stored = vocabulary_keys("kandelval")
    typed = {"kanelval"}  # one letter dropped
    assert stored & typed


def test_vocabulary_keeps_the_written_spelling() -> None:
    assert ("supreme", "supreme") in vocabulary_entries("Supreme Fabrics")
    assert ("shree", "sri") in vocabulary_entries("Shree Fabrics")


def test_typo_query_keys_reach_the_real_token(index: InMemoryIndex) -> None:
    keys = {k.key for k in query_keys(normalise("Khanelwal Cement"), index.vocabulary)}
    assert pair_key("kandelval", "cement") in keys


def test_alias_is_scored_as_well_as_the_name() -> None:
    idx = InMemoryIndex()
    idx.add(1, "Durga Hardware", "Kanpur", aliases=["Maa Durga Hardware Stores"])
    idx.add(2, "Maa Durga Steel", "Kanpur")
    idx.add(1, "Kanpur Durga Hardware Mart")  # a merged duplicate's name, added later
    assert idx.search("Maa Durga Hardware Stores")[0] == (1, 100.0)
    assert idx.search("Kanpur Durga Hardware Mart")[0] == (1, 100.0)
    assert idx.record(1).name.core == "durga hardware"


class _TokensOnlyBackend:
    """A backend as a database might first provide it: vocabulary rows without the written
    spelling, and no per-city postings."""

    def __init__(self, inner: InMemoryIndex) -> None:
        self.inner = inner
        self.stats = inner.stats

    def vocabulary(self, variants: Collection[str]) -> Mapping[str, Iterable[str]]:
        return {
            v: [token for _, token in rows] for v, rows in self.inner.vocabulary(variants).items()
        }

    def postings(self, keys: Collection[str]) -> Mapping[str, Sequence[int]]:
        return self.inner.postings(keys)

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        return self.inner.candidates(ids)


@pytest.mark.parametrize(
    ("query", "city", "truth"),
    [("Khanelwal Cemnet Agency", None, 6), ("Marwar Textiles", "Surat", 2), ("JK Paints", None, 7)],
)
def test_a_simpler_backend_gives_the_same_answers(
    index: InMemoryIndex, query: str, city: str | None, truth: int
) -> None:
    found = search_name(query, _TokensOnlyBackend(index), city=city)
    assert found[0].id == truth
    assert found[0].id == top(index, query, city)
