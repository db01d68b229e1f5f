"""The compiled token similarity (`matching._similarity`) answers exactly what the
reference `matching.similarity._token_similarity` answers: the same edit distance as
rapidfuzz, and the same similarity for any two tokens, long ones and non-ASCII letters
included, and for every pair of words of the dev set's queries and names."""

from __future__ import annotations

import os
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from bench.matching_quality import DEFAULT_DATA, load_businesses, load_queries
from matching import similarity
from matching.normalise import normalise
from matching.similarity import (
    GARBLED_SHORT_FORM,
    SHORT_FORMS,
    TOKEN_PAIRS,
    _token_similarity,
)

DATA = Path(os.environ.get("MATCHING_DATA", DEFAULT_DATA))
TWIN = similarity.COMPILED_MODULE

# Letters that make near pairs often: vowels, consonants, a Latin letter with an accent
# and Devanagari (a folded token is Latin, but nothing here may assume it).
NEAR = st.text(alphabet="aeiybdkmnrstéअक", min_size=0, max_size=12)
# Past the twin's arrays on the stack (48): rapidfuzz and the reference answer those.
LONG = st.text(alphabet="aebdkn", min_size=40, max_size=60)


# The twin as `matching.similarity` builds it for its memo.
WORK = (
    None
    if TWIN is None
    else TWIN.TokenSimilarity(SHORT_FORMS, similarity.garbled_short_form, GARBLED_SHORT_FORM)
)


def twin_similarity(a: str, b: str) -> float:
    assert WORK is not None
    return float(WORK(a, b))


def test_the_twin_is_built_and_the_memo_works_with_it():
    """`make install` builds it; without it the reference works the pairs out."""
    assert TWIN is not None
    assert isinstance(TOKEN_PAIRS.compute, TWIN.TokenSimilarity)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(NEAR, LONG), st.one_of(NEAR, LONG))
def test_the_edit_distance_is_rapidfuzzs(a: str, b: str) -> None:
    assert TWIN is not None
    assert TWIN.distance(a, b) == OSA.distance(a, b)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(NEAR, LONG), st.one_of(NEAR, LONG))
def test_any_two_tokens_are_as_alike_as_the_reference_says(a: str, b: str) -> None:
    assert twin_similarity(a, b) == _token_similarity(a, b)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(sorted({f for forms in SHORT_FORMS.values() for f in forms})),
    st.sampled_from(sorted(SHORT_FORMS)),
    st.integers(0, 3),
    st.sampled_from("abcdeimnrtx"),
)
def test_a_short_form_typed_wrong_is_read_as_the_reference_reads_it(form, word, at, letter):
    """The one rule handed back to the reference (a typo in a short form) is reached."""
    typed = (form[:at] + letter + form[at + 1 :]).lower()
    assert twin_similarity(typed, word) == _token_similarity(typed, word)
    assert twin_similarity(word, typed) == _token_similarity(word, typed)


def test_examples_of_every_rule():
    """So that the properties above are not vacuous: each rule's example, both ways."""
    examples = {
        ("traders", "traders"): 1.0,
        ("tradrs", "traders"): 1.0 - 1 / 7,  # one letter dropped
        ("ent", "enterprise"): 0.8,  # a prefix with a vowel in the word
        ("mk", "mkd"): 0.75,  # consonants typed short
        ("bajrang", "bajarang"): 1.0 - 1 / 8,
        ("bjrng", "bajarang"): 0.7,  # the same skeleton
        ("trdr", "tdrr"): 0.85,  # the same consonants reordered
        ("nd", "industri"): 0.6,  # a typo in "Ind."
        ("steel", "xyz"): 0.0,
        ("a" * 50, "a" * 49 + "b"): 1.0 - 1 / 50,  # past the arrays on the stack
    }
    for (a, b), expected in examples.items():
        assert _token_similarity(a, b) == _token_similarity(b, a)
        if expected != 0.0:
            assert _token_similarity(a, b) >= 0.5, (a, b)
        assert twin_similarity(a, b) == _token_similarity(a, b), (a, b)
        assert twin_similarity(b, a) == _token_similarity(b, a), (a, b)


def test_every_word_of_the_queries_against_words_of_the_names():
    """The dev set's 2,000 queries' words (folded and as written) against 400 words of its
    names, every pair both ways: the pairs a search asks."""
    query_words: set[str] = set()
    for query in load_queries(DATA):
        name = normalise(query.q)
        query_words.update(name.folded_tokens, name.spelled_tokens)
    name_words: set[str] = set()
    for business in load_businesses(DATA):
        name = normalise(business["name"])
        name_words.update(name.folded_tokens, name.spelled_tokens)
    sample = random.Random(7).sample(sorted(name_words), 400)
    differ = [
        (a, b)
        for a in sorted(query_words)
        for b in sample
        if twin_similarity(a, b) != _token_similarity(a, b)
        or twin_similarity(b, a) != _token_similarity(b, a)
    ]
    assert len(query_words) > 1000
    assert differ == []
