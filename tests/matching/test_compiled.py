"""The compiled twin of the scorer's hot path (`matching._align`, with the compiled token
similarity `matching._similarity`) answers exactly what the pure-Python reference in
`matching.align` and `matching.similarity` answers: the same scores, bit for bit, and so
the same results in the same order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.matching_quality import DEFAULT_DATA, load_businesses, load_queries
from matching import align, similarity
from matching.index import InMemoryIndex
from matching.normalise import canonical_city, normalise
from matching.score import Candidate, Scorer, TokenStats
from matching.search import pre_rank, search_name

DATA = Path(os.environ.get("MATCHING_DATA", DEFAULT_DATA))


def test_the_compiled_twin_is_built():
    """`make install` builds it; a search without it is correct but slower."""
    assert align.COMPILED_MODULE is not None
    assert align.COMPILED


@pytest.fixture
def both_ways(monkeypatch):
    """A function running `call` with the reference and with the compiled twin, returning
    both answers."""

    memo = similarity.TOKEN_PAIRS
    twin = memo.compute

    def both(call):
        monkeypatch.setattr(align, "COMPILED", False)
        monkeypatch.setattr(memo, "compute", similarity._token_similarity)
        memo.cache_clear()
        reference = call()
        monkeypatch.setattr(align, "COMPILED", True)
        monkeypatch.setattr(memo, "compute", twin)
        memo.cache_clear()
        return reference, call()

    return both


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.5, 0.7, 0.75, 0.8, 0.85, 0.9, 0.98, 1.0]),
            st.integers(0, 4),
            st.integers(0, 5),
        ),
        max_size=30,
    ),
    st.lists(st.floats(0.5, 12.0), min_size=5, max_size=5),
    st.lists(st.floats(0.5, 12.0), min_size=6, max_size=6),
    st.sampled_from([0.5, 0.6, 1.0]),
)
def test_the_alignment_of_any_pairs_is_the_same(pairs, q_weights, c_weights, share):
    """Ties of similarity included: the pairs are taken in the reference's order."""
    twin = align.COMPILED_MODULE
    assert twin is not None
    compiled = twin.align(list(pairs), q_weights, c_weights, share)
    assert compiled == align.align(list(pairs), q_weights, c_weights, share)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        (
            "Shree Maha Laxmi Traders",
            ["Shri Mahalaxmi Traders", "Mahalakshmi Trading Co", "Laxmi Traders", "M.L. Traders"],
        ),
        ("S.K. Steel", ["SK Steels", "S K Steel Works", "Sikka Steel", "K.S. Steel"]),
        ("Balaji", ["Balaji Balaji Traders", "Sri Balaji", "", "Bala Ji Agencies"]),
    ],
)
def test_joins_initials_and_repeats_score_the_same(both_ways, query, names):
    stats = TokenStats({"traders": 50, "steel": 30, "sri": 40, "shri": 40}, 200)
    candidates = [Candidate.build(i, name) for i, name in enumerate(names)]

    def scores():
        scorer = Scorer(normalise(query), stats)
        return [scorer.score(c) for c in candidates], scorer.scores(candidates + candidates)

    reference, compiled = both_ways(scores)
    assert reference == compiled
    one_by_one, together = compiled
    assert together == one_by_one + one_by_one
    assert any(one_by_one)


def test_legal_forms_places_and_aliases_score_the_same(both_ways):
    """The penalties and the best of a business's names, as the reference takes them."""
    stats = TokenStats({"traders": 50, "balaji": 20, "shree": 40}, 200)
    candidates = [
        Candidate.build(1, "Shree Balaji Traders Pvt Ltd", "Pune", "Maharashtra"),
        Candidate.build(2, "Balaji Traders LLP", "Surat", "Gujarat"),
        Candidate.build(3, "Balaji Trading", None, None, aliases=["Shri Balaji Traders Ltd"]),
        Candidate.build(4, "Sri Balaji Traders", "Nagpur", "Maharashtra", aliases=["Balaji"]),
        Candidate.build(5, "Mahalaxmi Steel", "Pune", "Maharashtra"),
    ]

    def scores():
        scorer = Scorer(normalise("Shree Balaji Traders Pvt Ltd Pune"), stats, state="maharashtra")
        return scorer.scores(candidates)

    reference, compiled = both_ways(scores)
    assert reference == compiled
    assert reference[0] == max(reference) and reference[4] == min(reference)


@pytest.mark.skipif(not (DATA / "queries.jsonl").exists(), reason="the dev set is not here")
def test_every_dev_set_query_gets_the_same_scores_and_ranking(both_ways):
    index = InMemoryIndex()
    for row in load_businesses(DATA):
        index.add(int(row["id"]), row["name"], row["city"] or None, row["state"] or None)
    differ = []
    queries = load_queries(DATA)
    for query in queries:
        normal = normalise(query.q)
        place = canonical_city(query.city) or normal.city_hint
        ids = pre_rank(normal, index, place)
        records = index.candidates(ids)

        def scored(n=normal, q=query, p=place, r=records):
            scorer = Scorer(n, index.stats, p)
            one_by_one = {bid: scorer.score(cand) for bid, cand in r.items()}
            together = scorer.scores(list(r.values()))
            return one_by_one, together, search_name(n, index, city=q.city, limit=10)

        reference, compiled = both_ways(scored)
        if reference != compiled:
            differ.append(query.q)
    assert len(queries) >= 1000
    assert differ == []


@pytest.mark.skipif(not (DATA / "queries.jsonl").exists(), reason="the dev set is not here")
def test_which_joins_the_twin_finds_are_the_references():
    """The twin's rows say which of the query's joins each candidate token may spell
    (`_join_bits`), and its memo which joins of two candidate tokens spell a query token
    (`_query_takes`), exactly as the reference works them out. The score tests would see
    a join missed (a name scored the quick way, wrongly) but not one too many (a name sent
    the slow way, rightly): this sees both."""
    index = InMemoryIndex()
    for row in load_businesses(DATA):
        index.add(int(row["id"]), row["name"], row["city"] or None, row["state"] or None)
    bits = takes = 0
    for query in load_queries(DATA)[:800]:
        normal = normalise(query.q)
        place = canonical_city(query.city) or normal.city_hint
        scorer = Scorer(normal, index.stats, place)
        scorer.scores(list(index.candidates(pre_rank(normal, index, place)).values()))
        aligner = scorer._names
        for token, row in aligner._rows.items():
            assert row == aligner._row(token), (query.q, token)
            bits += row[2] != 0
        for joined, spelled in aligner._takes.items():
            assert spelled == aligner.query.takes(joined), (query.q, joined)
            takes += spelled
    assert bits > 0 and takes > 0  # both kinds of join occur among these queries


PLACES = st.sampled_from([None, "Pune", "Surat", "Nashik"])
STATES = st.sampled_from([None, "Maharashtra", "Gujarat"])
NAMES = st.sampled_from(
    ["Balaji Traders", "Balaji Traders Pvt Ltd", "Balaji Traders LLP", "Balaji Traders Ltd"]
)


@given(
    query=NAMES,
    city=PLACES,
    state=STATES,
    businesses=st.lists(
        st.tuples(NAMES, PLACES, STATES, st.lists(NAMES, max_size=2)), min_size=1, max_size=12
    ),
)
def test_the_compiled_penalties_are_the_references(query, city, state, businesses):
    """The compiled scorer works the place penalty out itself and asks for the legal-form
    penalty only where the forms differ: every combination of asked and held city, state
    and legal form (aliases with other forms included) scores as `Scorer.score` does."""
    candidates = [
        Candidate.build(i, name, place, region, aliases)
        for i, (name, place, region, aliases) in enumerate(businesses)
    ]
    stats = TokenStats({"balaji": 20, "traders": 50}, 200)
    scorer = Scorer(normalise(query), stats, canonical_city(city), canonical_city(state))
    assert scorer.scores(candidates) == [scorer.score(c) for c in candidates]
