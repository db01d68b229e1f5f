"""One query against many candidates (`QueryAligner`) scores each as aligning the pair from
scratch (`name_similarity`) does, whether or not tokens are joined on either side."""

from __future__ import annotations

import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import align
from matching.align import QueryAligner, name_similarity
from matching.normalise import normalise
from matching.score import Candidate, Scorer, TokenStats

STATS = TokenStats({"trader": 5000, "sri": 6000, "laxmi": 300, "mahalaxmi": 40}, 100_000)

WORDS = st.sampled_from(
    [
        "Maha", "Laxmi", "Mahalaxmi", "Mahalakshmi", "Sai", "Ram", "Sairam", "Shree",
        "Sri", "Balaji", "Traders", "A.B.C.", "ABC", "A B", "Jai", "Ambe", "Jaiambe",
        "Steel", "Steels", "Textile", "Vastralaya", "Vastra", "Bhandar", "Pvt", "Ltd",
        "Ganesh", "Ganeshsteel", "Siddhi", "Vinayak", "Siddhivinayak", "M.K.", "Mk",
        "Mahalxmi", "Trdrs", "Ent", "Bajrang", "Bajarang", "Sethi", "Shetty", "Aplha", "Alpha",
        "Ganesj", "Stel", "MKD",
    ]
)  # fmt: skip
NAMES = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(NAMES, st.lists(NAMES, min_size=1, max_size=8))
def test_query_aligner_scores_as_from_scratch(query: str, candidates: list[str]) -> None:
    q = normalise(query)
    aligner = QueryAligner(q, STATS.weight)
    for name in candidates:
        cand = normalise(name)
        assert aligner.similarity(cand) == name_similarity(q, cand, STATS.weight)


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.usefixtures("without_garbage_collector")
def test_a_search_aligner_goes_as_soon_as_it_is_dropped(monkeypatch, compiled: bool) -> None:
    """A search's aligner and its memo (a few hundred tuples) are freed when the search
    drops them, not left for the garbage collector: nothing in them refers back to the
    aligner. (A partial of the aligner kept on it did; collecting what every search left
    cost a tenth of an API search's time.)"""
    if compiled and align.COMPILED_MODULE is None:
        pytest.skip("the compiled twin is not built")
    monkeypatch.setattr(align, "COMPILED", compiled)
    query = normalise("Shree Mahalaxmi Steel Traders")
    candidates = [
        Candidate(n, normalise(name), "pune", None, ())
        for n, name in enumerate(["Mahalakshmi Steels", "Sri Laxmi Traders", "Jai Ambe Steel"])
    ]
    scorer = Scorer(query, STATS, "pune")
    assert scorer.scores(candidates)[0] > 0
    assert scorer._names.similarity(candidates[1].name) > 0
    gone = weakref.ref(scorer._names)
    del scorer
    assert gone() is None
