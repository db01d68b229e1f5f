"""One query against many candidates (`QueryAligner`) scores each as aligning the pair from
scratch (`name_similarity`) does, whether or not tokens are joined on either side."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.align import QueryAligner, name_similarity
from matching.normalise import normalise
from matching.score import TokenStats

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
