"""The numpy pre-ranking (`matching.fast`) answers exactly what the pure-Python reference
in `matching.search` answers: the same candidates in the same order, and so the same
results with the same scores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.matching_quality import DEFAULT_DATA, load_businesses, load_queries
from matching import fast
from matching.index import InMemoryIndex
from matching.normalise import canonical_city, normalise
from matching.search import pre_rank, search_name

DATA = Path(os.environ.get("MATCHING_DATA", DEFAULT_DATA))


@pytest.fixture
def compiled(monkeypatch):
    """A function running `call` on the reference path and on the numpy one (taken for
    lists of any length), returning both answers."""

    def both(call):
        monkeypatch.setattr(fast, "ENABLED", False)
        reference = call()
        monkeypatch.setattr(fast, "ENABLED", True)
        monkeypatch.setattr(fast, "MIN_IDS", 0)
        return reference, call()

    return both


def test_ties_at_the_cut_keep_the_lowest_ids_and_sums_are_the_same(compiled):
    lists = [([9, 3, 7, 1], 0.1), ([3, 5, 9], 0.2), ([1, 5], 0.1 + 0.2), ([7], 0.3)]
    evidence: dict[int, float] = {}
    for ids, gain in lists:
        for bid in ids:
            evidence[bid] = evidence.get(bid, 0.0) + gain
    expected = sorted(evidence, key=lambda bid: (-evidence[bid], bid))
    for count in range(len(expected) + 2):
        assert fast.best_by_evidence(lists, count) == expected[:count]
    assert fast.best_by_evidence([], 5) == []
    assert fast.best_by_evidence([([], 1.0)], 5) == []


def test_the_long_lists_of_a_common_name_pre_rank_alike(compiled):
    index = InMemoryIndex()
    cities = ["Pune", "Surat", "Indore", "Nagpur"]
    for i in range(1, 3001):
        index.add(i, f"Shree Balaji {'Traders' if i % 3 else 'Steel'}", cities[i % 4])
    index.add(5000, "Shri Balaji Trading Company", "Surat")
    query = normalise("Sree Balaji Traders")
    reference, numpy = compiled(lambda: pre_rank(query, index, "surat"))
    assert reference == numpy and len(reference) == 120
    reference, numpy = compiled(lambda: search_name(query, index, city="Surat", limit=10))
    assert reference == numpy


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
        if ranked[0] != ranked[1] or found[0] != found[1]:
            differ.append(query.q)
    assert differ == []
