"""Scoring a query name against a candidate business, 0..100.

The name part (`matching.align`) aligns folded tokens one to one and weighs each by its
rarity (IDF), so a rare word ("Marwar") decides more than a trade word ("Traders") and a
dropped trade word costs little. Legal form and place are separate signals: "X Pvt Ltd"
in Pune and "X LLP" in Surat are different businesses; a query that names a city prefers
the business there; a query without a legal form is not held against a candidate that has
one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from matching import align
from matching.align import QueryAligner
from matching.align import name_similarity as name_similarity
from matching.legal import legal_family, legal_parts
from matching.normalise import NormalName, canonical_city, normalise, slot_setters
from matching.similarity import token_similarity as token_similarity

#: How many words' weights a `TokenStats` keeps (a long-lived one's memory stays bounded).
_WEIGHTS_KEPT = 200_000


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
            if len(self._cache) < _WEIGHTS_KEPT:
                self._cache[token] = cached
        return cached

    def known_weights(self) -> Mapping[str, float]:
        """The weights worked out so far, as `weight` answers them (kept up to date: the
        same mapping, filled and emptied by `weight` and `weigh_new`)."""
        return self._cache

    def weigh(self, frequencies: Mapping[str, int]) -> None:
        """Work out at once the weights of words whose frequencies were read together (a
        search's candidates' words): `weight` then finds them at hand. Each is what
        `weight` would work out if `doc_freq` answered that frequency."""
        cache = self._cache
        total = self.total + 1
        log = math.log
        for token, df in frequencies.items():
            if token not in cache and len(cache) < _WEIGHTS_KEPT:
                cache[token] = log(1.0 + total / (df + 1))

    def weigh_new(
        self, tokens: set[str], read: Callable[[Collection[str]], Mapping[str, int]]
    ) -> None:
        """`weigh` the words among `tokens` whose weights are not at hand, their
        frequencies read at once by `read` (none read when all are at hand: a `TokenStats`
        kept from search to search, see `IndexCopy.token_stats`, holds a busy worker's
        common words). Past `_WEIGHTS_KEPT` words at hand, those are let go and the
        words asked for since weighed afresh: a long-lived worker's words change."""
        cache = self._cache
        new = tokens.difference(cache)
        if not new:
            return
        if len(cache) + len(new) > _WEIGHTS_KEPT:
            cache.clear()
        self.weigh(read(new))

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

    @classmethod
    def of(
        cls,
        id: int,
        name: NormalName,
        city: str | None,
        state: str | None,
        aliases: tuple[NormalName, ...],
    ) -> Candidate:
        """`Candidate(id, name, city, state, aliases)`, its fields set through their slots:
        a search reads about 110 from the index file, and the frozen dataclass's
        `__init__` (`object.__setattr__` per field) takes twice as long."""
        candidate = _new(cls)
        _set_id(candidate, id)
        _set_name(candidate, name)
        _set_city(candidate, city)
        _set_state(candidate, state)
        _set_aliases(candidate, aliases)
        return candidate


_new = object.__new__
# The slot setters of Candidate's fields, in order (unpacking fails if a field is added).
_set_id, _set_name, _set_city, _set_state, _set_aliases = slot_setters(Candidate)


def canonical_state(state: str | None) -> str | None:
    return canonical_city(state)


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
#: `place_penalty`'s points, in the order the compiled scorer takes them
PLACE_POINTS = (CITY_UNKNOWN, CITY_OTHER_SAME_STATE, CITY_OTHER, STATE_UNKNOWN, STATE_OTHER)


@lru_cache(maxsize=1024)
def _legal_kind(form: str) -> tuple[str | None, frozenset[str]]:
    """The family and the parts of a canonical legal form."""
    return legal_family(form), frozenset(legal_parts(form))


def legal_penalty(query: NormalName, cand: NormalName) -> float:
    """0 when the forms agree or the query states none; more as they disagree more. A
    function of the two legal forms alone (the compiled scorer asks it once per form)."""
    q_form, c_form = query.legal_form, cand.legal_form
    if q_form is None or q_form == c_form:
        return 0.0
    if c_form is None:
        return LEGAL_MISSING
    q_family, q_parts = _legal_kind(q_form)
    c_family, c_parts = _legal_kind(c_form)
    if q_family != c_family:
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


class Scorer:
    """Scores candidates against one query (see `score_normalised`). Make one per query:
    what the candidates share (repeated words, repeated names) is worked out once."""

    def __init__(
        self,
        query: NormalName,
        stats: TokenStats,
        city: str | None = None,
        state: str | None = None,
    ) -> None:
        self.query = query
        self.city = query.city_hint if city is None and query.city_hint else city
        self.state = state
        self._names = QueryAligner(query, stats.weight, known=stats.known_weights())
        # penalties that are 0 for every candidate are not worked out per candidate
        self._legal = query.legal_form is not None
        self._place = bool(self.city or self.state)
        self._twin = align.COMPILED_MODULE if align.COMPILED else None

    def scores(self, candidates: Iterable[Candidate]) -> list[float]:
        """`score` of each candidate, in order (in the compiled twin's loop when built,
        see `matching.align`)."""
        if self._twin is not None:
            found: list[float] = self._twin.scores(self, candidates, legal_penalty, PLACE_POINTS)
            return found
        return [self.score(cand) for cand in candidates]

    def score(self, cand: Candidate) -> float:
        """How well `cand` answers the query, 0..100: its best name (or alias), less the
        legal-form and place penalties."""
        similarity = self._names.similarity
        if self._legal:
            query = self.query
            value = 100.0 * similarity(cand.name) - legal_penalty(query, cand.name)
            for alias in cand.aliases:
                value = max(value, 100.0 * similarity(alias) - legal_penalty(query, alias))
        else:
            value = 100.0 * similarity(cand.name)
            for alias in cand.aliases:
                value = max(value, 100.0 * similarity(alias))
        if self._place:
            value -= place_penalty(cand, self.city, self.state)
        # min(100.0, max(0.0, value)), which is 0.0 for NaN too
        if not value > 0.0:
            return 0.0
        return value if value < 100.0 else 100.0


def score_normalised(
    query: NormalName,
    cand: Candidate,
    stats: TokenStats,
    city: str | None = None,
    state: str | None = None,
) -> float:
    """Like `score`, for a query already normalised and a canonical city/state. For many
    candidates against one query, use one `Scorer`."""
    return Scorer(query, stats, city, state).score(cand)


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
