"""How alike two tokens are, 0..1: folded words forgiving typos, abbreviations and
transliteration (`token_similarity`), runs of initials letter by letter
(`initials_similarity`), and either as a name's token, folded or as written
(`pair_similarity`). `matching.align` pairs the tokens of two names with these.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from matching.phonetic import has_vowel, skeleton

Token = tuple[str, str, bool]  # (folded, as written, whether initials)

# A folded match whose written spellings differ (Sethi/Shetty, Sree/Shree) counts slightly
# less than the same spelling, so that an exact spelling wins a tie.
SPELLING_DIFFERS = 0.02


# 65,536 pairs: a web worker at a million businesses levelled off at +100 MB of its own
# with this and 16,384 below, against +173 MB with four times as many, as fast.
@lru_cache(maxsize=1 << 16)
def token_similarity(a: str, b: str) -> float:
    """How alike two folded tokens are, 0..1, forgiving typos, abbreviations and initials."""
    if a == b:
        return 1.0
    len_a, len_b = len(a), len(b)
    sim = 1.0 - OSA.distance(a, b) / (len_a if len_a > len_b else len_b)
    if sim >= 0.85:
        return sim  # no rule below gives more than 0.85
    shorter, longer = (a, b) if len_a <= len_b else (b, a)
    if longer.startswith(shorter):
        if len(shorter) >= 3 and has_vowel(longer):
            sim = max(sim, 0.8)
        if len(shorter) >= 2 and not has_vowel(shorter):
            sim = max(sim, 0.75)
    if len_a >= 3 and len_b >= 3:
        folded = skeleton(a)
        if len(folded) >= 3 and folded == skeleton(b):
            sim = max(sim, 0.7)
        if not (has_vowel(a) or has_vowel(b)) and sorted(a) == sorted(b):
            sim = max(sim, 0.85)
    return sim if sim >= 0.5 else 0.0


@lru_cache(maxsize=1 << 14)
def initials_similarity(a: str, b: str) -> float:
    """How alike two runs of initials are, 0..1, letter by letter as written: the same
    letters reordered count 0.85 from three letters on ("P.D.E." for "P.E.D."; two letters
    the other way round are another pair, "P.N." is not "N.P."), a dropped last initial
    0.75 ("M.K." for "M.K.D."), otherwise the share of letters right."""
    if a == b:
        return 1.0
    sim = 1.0 - OSA.distance(a, b) / max(len(a), len(b))
    if len(a) >= 3 and sorted(a) == sorted(b):
        sim = max(sim, 0.85)
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if len(shorter) >= 2 and longer.startswith(shorter):
        sim = max(sim, 0.75)
    return sim if sim >= 0.5 else 0.0


def pair_similarity(a: Token, b: Token) -> float:
    """Similarity of two tokens: folded, or as written when that is closer (a typo can
    land differently after folding: "Aplha" -> "aplh" but "Alpha" -> "alf"). Initials
    are compared as written, letter by letter. Against a word that is not initials, only
    initials typed undotted count: as many letters ("ABD" for "A.B.C."), one letter more
    or fewer at the end ("Mkee", "BE" for "B.E.H."), or a two-letter word one letter off
    ("DE" for "D.V.E."); never a prefix or a sound ("S.I." is not "Sikka" or "Sai", nor
    "A.N.A." "Annapurna")."""
    if a[2] or b[2]:
        return initials_against(a, b)
    sim = token_similarity(a[0], b[0])
    if sim == 1.0:
        return 1.0 if a[1] == b[1] else 1.0 - SPELLING_DIFFERS
    if sim < 0.85 and (a[1] != a[0] or b[1] != b[0]):
        sim = max(sim, 0.95 * token_similarity(a[1], b[1]))
    return sim


def initials_against(a: Token, b: Token) -> float:
    """`pair_similarity` where one token or both are initials."""
    if a[2] and b[2]:
        return initials_similarity(a[1], b[1])
    word, letters = (b[1], a[1]) if a[2] else (a[1], b[1])
    shorter, longer = sorted((word, letters), key=len)
    if (
        len(word) == len(letters) > 2
        or (len(longer) == len(shorter) + 1 and longer.startswith(shorter))
        or (len(word) <= 2 and len(longer) <= len(shorter) + 1)
    ):
        return initials_similarity(letters, word)
    return 1.0 if word == letters else 0.0
