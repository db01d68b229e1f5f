"""The pre-ranking's sums in numpy (`matching.fast`) and in compiled code
(`matching._evidence`) answer exactly what the pure-Python reference in `matching.search`
answers: the same candidates in the same order, and so the same results with the same
scores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.matching_quality import DEFAULT_DATA, load_businesses, load_queries
from matching import fast
from matching.index import InMemoryIndex
from matching.normalise import canonical_city, normalise
from matching.search import _best, pre_rank, search_name

DATA = Path(os.environ.get("MATCHING_DATA", DEFAULT_DATA))


@pytest.fixture
def compiled(monkeypatch):
    """A function running `call` on the reference path, on the numpy one (taken for lists
    of any length) and on the compiled one, returning the three answers."""

    def three(call):
        monkeypatch.setattr(fast, "ENABLED", False)
        reference = call()
        monkeypatch.setattr(fast, "ENABLED", True)
        monkeypatch.setattr(fast, "COMPILED", False)
        monkeypatch.setattr(fast, "MIN_IDS", 0)
        numpy = call()
        monkeypatch.setattr(fast, "COMPILED", True)
        return reference, numpy, call()

    return three


def summed(lists: list[tuple[list[int], float]], count: int) -> list[int]:
    """The reference: the Python loop of `pre_rank` and its `_best`."""
    evidence: dict[int, float] = {}
    for ids, gain in lists:
        for bid in ids:
            evidence[bid] = evidence.get(bid, 0.0) + gain
    return _best(evidence, count)


def test_the_compiled_twin_is_built():
    """`make install` builds it; without it numpy and the Python loop do the sums."""
    assert fast.COMPILED_MODULE is not None
    assert fast.COMPILED


def test_ties_at_the_cut_keep_the_lowest_ids_and_sums_are_the_same(compiled):
    lists = [([9, 3, 7, 1], 0.1), ([3, 5, 9], 0.2), ([1, 5], 0.1 + 0.2), ([7], 0.3)]
    evidence: dict[int, float] = {}
    for ids, gain in lists:
        for bid in ids:
            evidence[bid] = evidence.get(bid, 0.0) + gain
    expected = sorted(evidence, key=lambda bid: (-evidence[bid], bid))
    for count in range(len(expected) + 2):
        answers = compiled(lambda c=count: fast.best_by_evidence(lists, c))
        assert list(answers[1:]) == [expected[:count]] * 2
    for empty in ([], [([], 1.0)]):
        assert compiled(lambda e=empty: fast.best_by_evidence(e, 5))[1:] == ([], [])


# Ids of a small range, so that lists share them; gains whose sums depend on their order
# (0.1 + 0.2 + 0.3 is not 0.3 + 0.2 + 0.1), so that a sum taken in another order shows.
LISTS = st.lists(
    st.tuples(
        st.one_of(
            st.lists(st.integers(1, 60), max_size=40),
            st.lists(st.integers(1, 2**40), max_size=5),
        ),
        st.sampled_from([0.1, 0.2, 0.3, 0.7, 1.0, 1e-9, 2.5, 0.1 + 0.2]),
    ),
    max_size=12,
)


@settings(max_examples=1000, deadline=None)
@given(LISTS, st.integers(-1, 70))
def test_any_lists_choose_the_same_ids_in_the_same_order(lists, count):
    twin = fast.COMPILED_MODULE
    assert twin is not None
    expected = summed(lists, count)
    assert twin.best_by_evidence(lists, count) == expected
    assert twin.best_by_evidence([(tuple(ids), gain) for ids, gain in lists], count) == expected


def test_a_long_list_and_many_ties_are_chosen_alike():
    """Thousands of ids, most of them tied: the heap keeps the lowest among equals."""
    twin = fast.COMPILED_MODULE
    assert twin is not None
    lists = [(list(range(5000, 0, -1)), 0.5), (list(range(1, 20000, 7)), 0.25)]
    lists += [([3, 3, 3], 0.5), (list(range(40000, 30000, -3)), 0.75)]
    for count in (1, 120, 300, 7000, 20000):
        assert twin.best_by_evidence(lists, count) == summed(lists, count)


def test_the_long_lists_of_a_common_name_pre_rank_alike(compiled):
    index = InMemoryIndex()
    cities = ["Pune", "Surat", "Indore", "Nagpur"]
    for i in range(1, 3001):
        index.add(i, f"Shree Balaji {'Traders' if i % 3 else 'Steel'}", cities[i % 4])
    index.add(5000, "Shri Balaji Trading Company", "Surat")
    query = normalise("Sree Balaji Traders")
    reference, numpy, twin = compiled(lambda: pre_rank(query, index, "surat"))
    assert reference == numpy == twin and len(reference) == 120
    reference, numpy, twin = compiled(lambda: search_name(query, index, city="Surat", limit=10))
    assert reference == numpy == twin


@pytest.mark.skipif(not (DATA / "queries.jsonl").exists(), reason="the dev set is not here")
def test_every_dev_set_query_gets_the_same_results(compiled):
    index = InMemoryIndex()
    for row in load_businesses(DATA):
        index.add(int(row["id"]), row["name"], row["city"] or None, row["state"] or None)
    differ = []
    for query in load_queries(DATA):
        normal = normalise(query.q)
        place = canonical_city(query.city) or normal.city_hint
        ranked = compiled(lambda n=normal, p=place: pre_rank(n, index, p))
        found = compiled(lambda n=normal, q=query: search_name(n, index, city=q.city, limit=10))
        if len({str(r) for r in ranked}) > 1 or len({str(f) for f in found}) > 1:
            differ.append(query.q)
    assert differ == []
