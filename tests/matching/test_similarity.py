"""`token_similarity` skips the rules that cannot change its answer; it answers as the
plain reading of its rules does, for any two tokens."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from matching.similarity import token_similarity

VOWELS = "aeiouy"


def rules_as_written(a: str, b: str) -> float:
    """Every rule applied in turn, as the docs of `token_similarity` state them."""
    if a == b:
        return 1.0
    sim = 1.0 - OSA.distance(a, b) / max(len(a), len(b))
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    has_vowel = lambda token: any(ch in VOWELS for ch in token)  # noqa: E731
    if len(shorter) >= 3 and longer.startswith(shorter) and has_vowel(longer):
        sim = max(sim, 0.8)  # an abbreviation: "ent" for "enterprises"
    if len(a) >= 3 and len(b) >= 3 and len(frame(a)) >= 3 and frame(a) == frame(b):
        sim = max(sim, 0.7)  # the same consonants: "bajrang", "bajarang"
    if len(a) >= 3 and not has_vowel(a) and not has_vowel(b) and sorted(a) == sorted(b):
        sim = max(sim, 0.85)  # the same consonants reordered: "trdr", "tdrr"
    if not has_vowel(shorter) and len(shorter) >= 2 and longer.startswith(shorter):
        sim = max(sim, 0.75)  # consonants typed short: "mk" for "mkd"
    return sim if sim >= 0.5 else 0.0


def frame(token: str) -> str:
    """The first letter and the other consonants, repeats collapsed (`skeleton`)."""
    if len(token) <= 2:
        return token
    out = [token[0]]
    for ch in token[1:]:
        if ch not in VOWELS and ch != out[-1]:
            out.append(ch)
    return "".join(out)


LETTERS = st.text(alphabet="aeiybdkmnrst", min_size=1, max_size=10)
CONSONANTS = st.text(alphabet="bdkmnrst", min_size=1, max_size=6)
TOKENS = st.one_of(LETTERS, CONSONANTS)


@settings(max_examples=2000, deadline=None)
@given(TOKENS, TOKENS, st.integers(min_value=0, max_value=10))
def test_token_similarity_is_its_rules(a: str, b: str, cut: int) -> None:
    assert token_similarity(a, b) == rules_as_written(a, b)
    prefix = a[:cut] or a  # abbreviations and the like are prefixes
    assert token_similarity(prefix, a) == rules_as_written(prefix, a)
    assert token_similarity(a + b, a) == rules_as_written(a + b, a)


def test_rules_reached() -> None:
    """The examples the rules are for (so the property above is not vacuous)."""
    assert token_similarity("ent", "enterprises") == 0.8
    assert token_similarity("kirana", "karaani") == 0.7
    assert token_similarity("trdr", "tdrr") == 0.85
    assert token_similarity("mk", "mkd") == 0.75
    assert token_similarity("sharma", "kapoor") == 0.0
