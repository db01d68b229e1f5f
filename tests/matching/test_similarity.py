"""`token_similarity` skips the rules that cannot change its answer; it answers as the
plain reading of its rules does, for any two tokens."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from matching.phonetic import fold_token
from matching.similarity import token_similarity
from matching.wordlists import ABBREVIATIONS, SPELLING_FAMILIES

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
    if garbled(a, b) or garbled(b, a):
        sim = max(sim, 0.6)  # a typo in a short form: "nd" for "ind", industries
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


def garbled(short: str, word: str) -> bool:
    """`short`, two or three letters, is one typo from an abbreviation or a variant
    spelling of four letters at most that stands for `word` (folded)."""
    return (
        2 <= len(short) <= 3
        and short.isalpha()
        and any(
            len(form) <= 4 and fold_token(full) == word and OSA.distance(short, form) <= 1
            for form, full in (*ABBREVIATIONS.items(), *SPELLING_FAMILIES.items())
        )
    )


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
    # a typo in a short form the normaliser would have expanded
    assert token_similarity("nd", fold_token("industries")) == 0.6  # "Ind"
    assert token_similarity(fold_token("company"), "cl") == 0.6  # "Co"
    assert token_similarity("au", fold_token("om")) == 0.6  # "Aum"
    assert token_similarity("bldr", fold_token("builders")) > 0.6  # closer already
    assert token_similarity("xq", fold_token("company")) == 0.0
    assert token_similarity("nd", fold_token("steels")) == 0.0
    assert token_similarity("indx", fold_token("industries")) == 0.0  # four letters: a word


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(f for f in (*ABBREVIATIONS, *SPELLING_FAMILIES) if len(f) <= 4)),
    st.integers(min_value=0, max_value=4),
    st.sampled_from("abcdklmnorstuz"),
    st.sampled_from(("swap", "drop", "add", "change")),
)
def test_a_short_form_typed_wrong_is_its_rule(form: str, at: int, letter: str, typo: str) -> None:
    """One keystroke wrong in an abbreviation or a short variant spelling: the rules as
    written, against every word on the lists."""
    at = min(at, len(form) - 1)
    typed = {
        "swap": form[:at] + form[at + 1 : at + 2] + form[at : at + 1] + form[at + 2 :],
        "drop": form[:at] + form[at + 1 :],
        "add": form[:at] + letter + form[at:],
        "change": form[:at] + letter + form[at + 1 :],
    }[typo]
    for full in {*ABBREVIATIONS.values(), *SPELLING_FAMILIES.values()}:
        word = fold_token(full)
        assert token_similarity(typed, word) == rules_as_written(typed, word)
