"""`token_similarity` keeps its answers in a `PairMemo`: the same answers as working them
out, within a bounded size, and nothing left for the garbage collector to walk."""

from __future__ import annotations

import gc
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import similarity
from matching.similarity import TOKEN_PAIRS, PairMemo, token_similarity

WORDS = st.text(alphabet="aeibdkmnrst", min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORDS, WORDS), min_size=1, max_size=60), st.integers(1, 12))
def test_a_small_memo_answers_as_the_function_does_and_stays_within_its_size(pairs, size):
    asked = []
    memo = PairMemo(lambda a, b: asked.append((a, b)) or float(len(a) * 10 + len(b)), size)
    for a, b in pairs * 2:
        assert memo.get(a, b) == len(a) * 10 + len(b)
        kept = sum(len(row) for row in memo.newer.values())
        kept += sum(len(row) for row in memo.older.values())
        assert kept <= 2 * max(size // 2, 1)
    # what the memo held was not worked out again: with room for every pair, once each
    if size // 2 >= len(pairs) * 2:
        assert sorted(asked) == sorted(set(pairs))


def test_an_answer_found_in_the_older_generation_is_kept_again_in_the_newer():
    memo = PairMemo(lambda a, b: float(len(a + b)), 4)  # generations of two
    memo.get("ab", "c")
    memo.get("ab", "d")
    memo.get("x", "y")  # the first two become the older generation
    assert "ab" in memo.older and memo.newer == {"x": {"y": 2.0}}
    memo.get("ab", "c")
    assert memo.newer["ab"] == {"c": 3.0}


def test_token_similarity_through_the_memo_is_its_rules_on_a_turned_over_memo(monkeypatch):
    """Pairs asked many times over, through generations turned over every few answers."""
    small = PairMemo(similarity._token_similarity, 6)
    monkeypatch.setattr(similarity, "TOKEN_PAIRS", small)
    words = ["sharma", "sarma", "traders", "tdrs", "ent", "enterprises", "bajrang", "bjrng"]
    for _ in range(3):
        for a, b in product(words, words):
            assert token_similarity(a, b) == similarity._token_similarity(a, b)
    assert small.older and small.newer


@pytest.mark.usefixtures("without_garbage_collector")
def test_new_pairs_leave_nothing_for_the_garbage_collector():
    """An LRU cache's key tuple per pair stayed in the youngest generation, unseen by the
    collector's count (the tuples came from the interpreter's free list), until a
    collection walked tens of thousands of them at once."""
    TOKEN_PAIRS.cache_clear()
    words = [f"w{n}x" for n in range(60)]
    token_similarity("warm", "up")
    before = len(gc.get_objects(generation=0))
    for a, b in product(words, words):  # 3,600 pairs never seen
        token_similarity(a, b)
    assert len(gc.get_objects(generation=0)) - before < 20
    assert not any(gc.is_tracked(row) for row in TOKEN_PAIRS.newer.values())
