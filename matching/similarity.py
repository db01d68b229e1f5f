"""How alike two tokens are, 0..1: folded words forgiving typos, abbreviations and
transliteration (`token_similarity`), runs of initials letter by letter
(`initials_similarity`), and either as a name's token, folded or as written
(`pair_similarity`). `matching.align` pairs the tokens of two names with these.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from rapidfuzz.distance import OSA

from matching.compiled import compiled_twin
from matching.phonetic import fold_token, has_vowel, skeleton
from matching.wordlists import ABBREVIATIONS, SPELLING_FAMILIES

Token = tuple[str, str, bool]  # (folded, as written, whether initials)

# How alike a short token is to a word when it is one keystroke from a short form of that
# word ("Nd" and "Ind" for industries, "Cl" and "Co" for company, "Au" and "Aum" for Om).
GARBLED_SHORT_FORM = 0.6


def _short_forms() -> dict[str, frozenset[str]]:
    """The abbreviations and short variant spellings of each folded word, as written."""
    forms: dict[str, set[str]] = {}
    for short, word in (*ABBREVIATIONS.items(), *SPELLING_FAMILIES.items()):
        if len(short) <= 4:
            forms.setdefault(fold_token(word), set()).add(short)
    return {word: frozenset(shorts) for word, shorts in forms.items()}


#: folded word -> its short forms (`_short_forms`)
SHORT_FORMS = _short_forms()


def garbled_short_form(short: str, word: str) -> bool:
    """Whether `short`, two or three letters, is one edit from a short form of the folded
    `word` (`Nd` typed for "Ind.": a typo in an abbreviation, which the normaliser could
    not expand)."""
    forms = SHORT_FORMS.get(word)
    return (
        forms is not None
        and 2 <= len(short) <= 3
        and short.isalpha()
        and any(OSA.distance(short, form, score_cutoff=1) <= 1 for form in forms)
    )


# A folded match whose written spellings differ (Sethi/Shetty, Sree/Shree) counts slightly
# less than the same spelling, so that an exact spelling wins a tie.
SPELLING_DIFFERS = 0.02


class PairMemo:
    """The answers of a pure function of two strings kept at hand, by the first string and
    then the second (`newer[a][b]`): a look-up makes no object, where an LRU cache makes a
    key tuple per call. Those tuples come from the interpreter's free list, which the
    garbage collector's count of new objects does not see, so the ones a cache kept piled
    up in the youngest generation between collections (50,000 and more at a million
    businesses) and each collection walked them all, 20 to 60 ms every few hundred
    searches. Strings and floats are not tracked by the collector, nor are dicts holding
    only them. Two generations, like `registry.search_index.kept_answers.Recent`: when
    the newer holds `size // 2` answers it becomes the older, and the one before is
    dropped; an answer found in the older is kept again in the newer."""

    __slots__ = ("compute", "half", "newer", "older", "stored")

    def __init__(self, compute: Callable[[str, str], float], size: int) -> None:
        self.compute = compute
        self.half = max(size // 2, 1)
        self.newer: dict[str, dict[str, float]] = {}
        self.older: dict[str, dict[str, float]] = {}
        self.stored = 0

    def get(self, a: str, b: str) -> float:
        """The answer for (a, b): kept, or worked out and kept."""
        row = self.newer.get(a)
        if row is not None:
            found = row.get(b)
            if found is not None:
                return found
        return self.missing(a, b)

    def missing(self, a: str, b: str) -> float:
        """The answer for a pair not in the newer generation (a caller that looks there in
        place, as `matching._align` does, asks this next): from the older or worked out,
        and kept in the newer."""
        row = self.older.get(a)
        found = row.get(b) if row is not None else None
        if found is None:
            found = self.compute(a, b)
        if self.stored >= self.half:
            self.older, self.newer, self.stored = self.newer, {}, 0
        row = self.newer.get(a)
        if row is None:
            row = self.newer[a] = {}
        row[b] = found
        self.stored += 1
        return found

    def cache_clear(self) -> None:
        """Forget every answer (named as `functools.lru_cache`'s, so whatever empties the
        matcher's caches empties this one too)."""
        self.newer, self.older, self.stored = {}, {}, 0


def token_similarity(a: str, b: str) -> float:
    """How alike two folded tokens are, 0..1, forgiving typos, abbreviations and initials
    (kept at hand in `TOKEN_PAIRS`; the compiled scorer `matching._align` asks the
    compiled twin directly, which is quicker than the look-up)."""
    return TOKEN_PAIRS.get(a, b)


def _token_similarity(a: str, b: str) -> float:
    """`token_similarity` worked out."""
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
    if sim < GARBLED_SHORT_FORM and (garbled_short_form(a, b) or garbled_short_form(b, a)):
        sim = GARBLED_SHORT_FORM
    return sim if sim >= 0.5 else 0.0


#: The compiled twin of `_token_similarity` (`matching/_similarity.pyx`), None when not
#: built: the same answers in a fifth of the time (0.2 against 1 microsecond a pair).
COMPILED_MODULE = compiled_twin("matching._similarity")


def _worker() -> Callable[[str, str], float]:
    """What works out a pair the memo does not hold: the compiled twin when built."""
    if COMPILED_MODULE is None:
        return _token_similarity
    twin: Callable[[str, str], float] = COMPILED_MODULE.TokenSimilarity(
        SHORT_FORMS, garbled_short_form, GARBLED_SHORT_FORM
    )
    return twin


#: `token_similarity`'s answers: up to 131,072 pairs, about 7 MB (~56 bytes a pair, where
#: an LRU cache took ~176 with its key tuple and list link). Its callers are the Python
#: ones (a query's expansion, the joins of two words, the pure-Python scorer): the compiled
#: scorer asks the compiled twin for each of a search's ~500 pairs instead.
TOKEN_PAIRS = PairMemo(_worker(), 1 << 17)

#: `token_similarity` for a caller whose pairs seldom repeat (a new query word against its
#: vocabulary neighbours): the compiled twin itself when built, which works a pair out
#: quicker than the memo's look-up and keeping (its three calls in Python cost a
#: first-time search's expansion some 1.5 microseconds a pair); else the memo.
direct_token_similarity: Callable[[str, str], float] = (
    TOKEN_PAIRS.compute if COMPILED_MODULE is not None else token_similarity
)


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
