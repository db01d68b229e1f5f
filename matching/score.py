"""Scoring a query name against a candidate business, 0..100.

The name part aligns folded tokens one to one and weighs each by its rarity (IDF), so a
rare word ("Marwar") decides more than a trade word ("Traders") and a dropped trade word
costs little. Legal form and place are separate signals: "X Pvt Ltd" in Pune and "X LLP"
in Surat are different businesses; a query that names a city prefers the business there;
a query without a legal form is not held against a candidate that has one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from matching.legal import legal_parts
from matching.normalise import NormalName, canonical_city, normalise
from matching.phonetic import has_vowel, skeleton


@dataclass(frozen=True, slots=True)
class TokenStats:
    """How many names hold each folded token (document frequency) out of `total`.

    `doc_freq` may be any mapping, such as a dict or a read-through view of a table.
    """

    doc_freq: Mapping[str, int]
    total: int
    _cache: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def weight(self, token: str) -> float:
        """Inverse document frequency: about 1 for the commonest words, ~10 for unique ones."""
        cached = self._cache.get(token)
        if cached is None:
            df = self.doc_freq.get(token, 0)
            cached = math.log(1.0 + (self.total + 1) / (df + 1))
            if len(self._cache) < 200_000:
                self._cache[token] = cached
        return cached

    @classmethod
    def empty(cls) -> TokenStats:
        return cls({}, 0)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A business as the scorer sees it: normalised name (and aliases, e.g. the names of
    merged duplicates) plus canonical place."""

    id: int
    name: NormalName
    city: str | None = None
    state: str | None = None
    aliases: tuple[NormalName, ...] = ()

    @classmethod
    def build(
        cls,
        id: int,
        name: str,
        city: str | None = None,
        state: str | None = None,
        aliases: Iterable[str] = (),
    ) -> Candidate:
        return cls(
            id,
            normalise(name),
            canonical_city(city),
            canonical_state(state),
            tuple(normalise(a) for a in aliases),
        )


def canonical_state(state: str | None) -> str | None:
    return canonical_city(state)


@lru_cache(maxsize=1 << 18)
def token_similarity(a: str, b: str) -> float:
    """How alike two folded tokens are, 0..1, forgiving typos, abbreviations and initials."""
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    sim = 1.0 - OSA.distance(a, b) / longest
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if len(shorter) >= 3 and longer.startswith(shorter) and has_vowel(longer):
        sim = max(sim, 0.8)
    if len(a) >= 3 and len(b) >= 3 and len(skeleton(a)) >= 3 and skeleton(a) == skeleton(b):
        sim = max(sim, 0.7)
    if len(a) >= 3 and not has_vowel(a) and not has_vowel(b) and sorted(a) == sorted(b):
        sim = max(sim, 0.85)
    if not has_vowel(shorter) and len(shorter) >= 2 and longer.startswith(shorter):
        sim = max(sim, 0.75)
    return sim if sim >= 0.5 else 0.0


@lru_cache(maxsize=1 << 16)
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


Token = tuple[str, str, bool]  # (folded, as written, whether initials)


def _tokens(name: NormalName) -> tuple[Token, ...]:
    spelled = name.spelled_tokens or name.folded_tokens
    initials = name.initials
    return tuple(
        (folded, word, word in initials)
        for folded, word in zip(name.folded_tokens, spelled, strict=False)
    )


def _merge_splits(tokens: tuple[Token, ...], other: tuple[Token, ...]) -> tuple[Token, ...]:
    """Join two adjacent tokens when together they spell one token of the other name
    ("maha laxmi" against "mahalaxmi")."""
    if len(tokens) < 2 or not other:
        return tokens
    other_set = {t[0] for t in other}
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i][0] not in other_set:
            joined = tokens[i][0] + tokens[i + 1][0]
            if joined in other_set or any(
                token_similarity(joined, o) >= 0.85 for o in other_set if len(o) >= 6
            ):
                out.append((joined, tokens[i][1] + tokens[i + 1][1], False))
                i += 2
                continue
        out.append(tokens[i])
        i += 1
    return tuple(out)


# A folded match whose written spellings differ (Sethi/Shetty, Sree/Shree) counts slightly
# less than the same spelling, so that an exact spelling wins a tie.
SPELLING_DIFFERS = 0.02


def pair_similarity(a: Token, b: Token) -> float:
    """Similarity of two tokens: folded, or as written when that is closer (a typo can
    land differently after folding: "Aplha" -> "aplh" but "Alpha" -> "alf"). Initials
    are compared as written, letter by letter. Against a word that is not initials, only
    initials typed undotted count: as many letters ("ABD" for "A.B.C."), one letter more
    or fewer at the end ("Mkee", "BE" for "B.E.H."), or a two-letter word one letter off
    ("DE" for "D.V.E."); never a prefix or a sound ("S.I." is not "Sikka" or "Sai", nor
    "A.N.A." "Annapurna")."""
    if a[2] or b[2]:
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
    sim = token_similarity(a[0], b[0])
    if sim == 1.0:
        return 1.0 if a[1] == b[1] else 1.0 - SPELLING_DIFFERS
    if sim < 0.85 and (a[1] != a[0] or b[1] != b[0]):
        sim = max(sim, 0.95 * token_similarity(a[1], b[1]))
    return sim


Weigher = Callable[[str], float]


def name_similarity(
    query: NormalName, cand: NormalName, weight: Weigher, query_share: float = 0.6
) -> float:
    """IDF-weighted one-to-one alignment of tokens, 0..1.

    `query_share` splits the result between how much of the query is found (recall) and how
    much of the candidate is explained (precision); 0.5 makes the measure symmetric.
    """
    q_tokens, c_tokens = _tokens(query), _tokens(cand)
    if not q_tokens or not c_tokens:
        return 0.0
    q_tokens = _merge_splits(q_tokens, c_tokens)
    c_tokens = _merge_splits(c_tokens, q_tokens)
    pairs: list[tuple[float, int, int]] = []
    for i, q in enumerate(q_tokens):
        for j, c in enumerate(c_tokens):
            sim = pair_similarity(q, c)
            if sim > 0.0:
                pairs.append((sim, i, j))
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    matched = q_total = c_total = 0.0
    for sim, i, j in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        # the rarer-looking side of a typo is the typo: take the commoner side's weight
        w = min(weight(c_tokens[j][0]), weight(q_tokens[i][0]))
        matched += sim * w
        q_total += w
        c_total += w
    for i, q in enumerate(q_tokens):
        if i not in used_q:
            q_total += weight(q[0])
    for j, c in enumerate(c_tokens):
        if j not in used_c:
            c_total += weight(c[0])
    recall = matched / q_total if q_total else 0.0
    precision = matched / c_total if c_total else 0.0
    return query_share * recall + (1.0 - query_share) * precision


# Points taken off for legal forms that disagree (the query's form against the candidate's).
LEGAL_MISSING = 3.0
LEGAL_PARTIAL = 2.0
LEGAL_SAME_FAMILY = 5.0
LEGAL_OTHER_FAMILY = 12.0
# Points taken off when the query names a place the candidate is not in.
CITY_UNKNOWN = 4.0
CITY_OTHER_SAME_STATE = 15.0
CITY_OTHER = 20.0
STATE_OTHER = 15.0
STATE_UNKNOWN = 2.0


def legal_penalty(query: NormalName, cand: NormalName) -> float:
    """0 when the forms agree or the query states none; more as they disagree more."""
    if query.legal_form is None or query.legal_form == cand.legal_form:
        return 0.0
    if cand.legal_form is None:
        return LEGAL_MISSING
    q_parts = set(legal_parts(query.legal_form))
    c_parts = set(legal_parts(cand.legal_form))
    if query.legal_family != cand.legal_family:
        return LEGAL_OTHER_FAMILY
    if q_parts & c_parts:
        return LEGAL_PARTIAL
    return LEGAL_SAME_FAMILY


def place_penalty(cand: Candidate, city: str | None, state: str | None) -> float:
    """Points off for a candidate outside the asked city/state (canonical forms)."""
    if city:
        if cand.city == city:
            return 0.0
        if cand.city is None:
            return CITY_UNKNOWN
        if state and cand.state == state:
            return CITY_OTHER_SAME_STATE
        return CITY_OTHER
    if state:
        if cand.state == state:
            return 0.0
        return STATE_UNKNOWN if cand.state is None else STATE_OTHER
    return 0.0


def score_normalised(
    query: NormalName,
    cand: Candidate,
    stats: TokenStats,
    city: str | None = None,
    state: str | None = None,
) -> float:
    """Like `score`, for a query already normalised and a canonical city/state."""
    if city is None and query.city_hint:
        city = query.city_hint
    value = max(
        100.0 * name_similarity(query, name, stats.weight) - legal_penalty(query, name)
        for name in (cand.name, *cand.aliases)
    )
    value -= place_penalty(cand, city, state)
    return min(100.0, max(0.0, value))


def score(
    query: str,
    candidate: Candidate,
    stats: TokenStats,
    city: str | None = None,
    state: str | None = None,
) -> float:
    """How well `candidate` answers a search for `query` (with optional city/state), 0..100."""
    return score_normalised(
        normalise(query), candidate, stats, canonical_city(city), canonical_state(state)
    )
