"""The search pipeline, independent of where the index lives.

`search_name` needs these look-ups, which the in-memory index and the database-backed
registry each provide (see `SearchBackend`): the vocabulary table (variant -> spelling,
token), the name-key table (key -> business ids, and the same within one city), and
candidate records by id. Everything else
(expansion, key choice, pre-ranking, scoring) is here, so both give the same answers.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import neg
from typing import Protocol, cast, runtime_checkable

from matching import fast
from matching.keys import (
    KeptExpansions,
    VocabularyRow,
    expand_terms,
    key_rarity,
    query_keys_from,
    query_terms,
)
from matching.normalise import NormalName, canonical_city, normalise
from matching.score import Candidate, Scorer, TokenStats, canonical_state

# Keys listing more businesses than this count for the first ones only (lowest ids: the
# earliest in the directory) when the query has other keys: a pair of two common words
# ("p:sri|trader") would cost more to read whole than it tells, but the name's own key may
# be as long (at 1.5 crore names a "Malhotra Steels" has thousands of namesakes), and its
# head still beats fuzzy look-alikes.
MAX_POSTINGS = 5000
# How many ids of such a list count: its head holds enough namesakes for the scored
# candidates (measured at 1.5 crore names: the same hit@1, 0.9720, as 1,000 ids; 120 ids
# gave 0.9715), and each id more is one more to sum for every search.
LONG_HEAD = 300
# How many pre-ranked candidates are fully scored.
MAX_SCORED = 120
# Extra weight of a key hit inside the asked city: a common name ("Durga Steel Works") may
# be in hundreds of cities, and the one asked for must reach the scored candidates.
LOCAL_WEIGHT = 2.0
# Up to how many candidates sorting all their evidence beats heapq.nlargest (measured: 3x
# faster at 300, even at about 2,500, slower beyond).
_SORT_ALL = 2000


class SearchBackend(Protocol):
    """What a search needs from an index (in memory, or tables shared by web workers)."""

    stats: TokenStats

    def vocabulary(self, variants: Collection[str]) -> Mapping[str, Iterable[VocabularyRow]]:
        """Vocabulary rows stored under each of these variants: (spelling, folded token)
        pairs, or folded tokens alone."""
        ...

    def postings(self, keys: Collection[str]) -> Mapping[str, Sequence[int]]:
        """Business ids stored under each of these name keys. A backend may cut long
        lists short if it says from what length on, in an attribute `posting_limit`: such
        a list then only tells that its key is common."""
        ...

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        """Candidate records for these ids."""
        ...


@runtime_checkable
class CityPostings(Protocol):
    """Optional for a backend, and worth having: name-key hits within one city.

    A `city` column on the key table, indexed with `key`, answers it. Without it a common
    name ("Durga Steel Works", in hundreds of cities) may crowd the asked city's business
    out of the scored candidates at a million names.
    """

    def local_postings(self, keys: Collection[str], city: str) -> Mapping[str, Sequence[int]]:
        """Business ids in `city` (canonical, see `canonical_city`) under each key."""
        ...


@runtime_checkable
class NearSpellings(Protocol):
    """Optional for a backend: the vocabulary rows near each query spelling at once
    (what `matching.keys.near_rows` finds through `vocabulary`), so that a backend can keep
    them per spelling: a query's words recur across searches, their ~200 variants do not
    need looking up again."""

    def vocabulary_near(
        self, spellings: Collection[str]
    ) -> Mapping[str, Collection[tuple[str, str]]]: ...


@runtime_checkable
class KeepsExpansions(Protocol):
    """Optional for a backend whose index changes seldom: a place to keep the query
    words' expansions (`expand_terms`' `kept`) from search to search, emptied whenever
    the index changes. A search new to a worker is mostly made of words other searches
    had ("traders", "steel", a common family name), whose expansions then need no
    vocabulary look-up and no similarities."""

    def kept_expansions(self) -> KeptExpansions: ...


@dataclass(frozen=True, slots=True)
class Match:
    id: int
    score: float


def pre_rank(
    query: NormalName,
    backend: SearchBackend,
    city: str | None = None,
    max_postings: int = MAX_POSTINGS,
    max_scored: int = MAX_SCORED,
) -> list[int]:
    """Candidate ids for a query, best evidence first, at most `max_scored`.

    Each key hit adds the key's evidence weighted by the rarity of its tokens. A key whose
    posting list is longer than `max_postings` (or the backend's `posting_limit`) counts
    for the head of it, its first `LONG_HEAD` ids (the registry's backends list ids
    ascending), unless every key is that long: then the shortest counts whole. With a
    city, hits inside it count `1 + LOCAL_WEIGHT` times, big keys included.

    The heads matter in a directory of India's size: the keys of a common name ("Malhotra
    Steels", "Singh Enterprises": the name's own key, its pair, its family word) each list
    thousands of businesses there, and with them dropped only the keys of fuzzy look-alikes
    were left ("Malhotra Seeds"), so not one of the name's namesakes was scored.
    """
    items = query_terms(query)
    if not items:
        return []
    weight = backend.stats.weight
    near = (
        cast(NearSpellings, backend).vocabulary_near
        if _offers(type(backend), NearSpellings)
        else None
    )
    kept = (
        cast(KeepsExpansions, backend).kept_expansions()
        if _offers(type(backend), KeepsExpansions)
        else None
    )
    keys = query_keys_from(
        expand_terms(items, backend.vocabulary, weight, query.initials, near, kept)
    )
    postings = backend.postings([k.key for k in keys])
    usable = [(k, postings[k.key]) for k in keys if postings.get(k.key)]
    limit = min(max_postings, getattr(backend, "posting_limit", max_postings))
    if usable and all(len(ids) > limit for _, ids in usable):
        counted = [min(usable, key=lambda item: len(item[1]))]
    else:
        counted = [(k, ids if len(ids) <= limit else ids[:LONG_HEAD]) for k, ids in usable]
    known = backend.stats.known_weights()
    gains = {k.key: k.evidence * key_rarity(k.key, weight, known) for k, _ in usable}
    lists = [(ids, gains[key.key]) for key, ids in counted]
    if city and usable and _offers(type(backend), CityPostings):
        local = cast(CityPostings, backend).local_postings([k.key for k, _ in usable], city)
        lists += [(ids, LOCAL_WEIGHT * gains[key_text]) for key_text, ids in local.items()]
    if fast.worth_it(lists):  # long lists: the same sums over flat arrays
        return fast.best_by_evidence(lists, max_scored)
    evidence: dict[int, float] = {}
    get = evidence.get
    for ids, gain in lists:
        for bid in ids:
            evidence[bid] = get(bid, 0.0) + gain
    return _best(evidence, max_scored)


@cache
def _offers(kind: type, protocol: type) -> bool:
    """Whether a backend of class `kind` offers one of the optional look-ups (`protocol`,
    runtime-checkable). Asked once per class: `isinstance` against a protocol looks for
    each of its members on every call, some 2 microseconds each on Python 3.11, twice
    a search."""
    return issubclass(kind, protocol)


def _best(evidence: dict[int, float], count: int) -> list[int]:
    """The `count` ids with the most evidence, most first; among equal evidence at the cut
    the lowest ids, so that the choice does not depend on the order the posting lists
    came in (a database may list a key's ids in any order)."""
    if count <= 0:
        return []
    if len(evidence) > count:
        values = evidence.values()
        if len(evidence) <= _SORT_ALL:  # one sort in C beats nlargest's Python loop here
            cut = sorted(values, reverse=True)[count - 1]
        else:
            cut = heapq.nlargest(count, values)[-1]
        above = [bid for bid, e in evidence.items() if e > cut]
        level = sorted(bid for bid, e in evidence.items() if e == cut)
        evidence = {bid: evidence[bid] for bid in above + level[: count - len(above)]}
    return sorted(evidence, key=lambda bid: (-evidence[bid], bid))


def search_name(
    q: str | NormalName,
    backend: SearchBackend,
    city: str | None = None,
    state: str | None = None,
    limit: int = 5,
    max_scored: int = MAX_SCORED,
) -> list[Match]:
    """Businesses best matching a name query, best first, with scores 0..100."""
    query = q if isinstance(q, NormalName) else normalise(q)
    city_c = canonical_city(city) or query.city_hint
    state_c = canonical_state(state)
    ids = pre_rank(query, backend, city_c, max_scored=max_scored)
    records = backend.candidates(ids)
    scores = Scorer(query, backend.stats, city_c, state_c).scores(records.values())
    return [Match(bid, -value) for value, bid in _top(scores, records, limit)]


def _top(scores: list[float], ids: Iterable[int], limit: int) -> list[tuple[float, int]]:
    """The `limit` best of the scored ids as (-score, id) pairs, best first, then the
    lowest id. Only those scoring at least the `limit`-th best score are sorted as pairs:
    a search scores about 120 candidates and shows 5, and sorting the floats alone (one
    comparison of two floats each) then the few pairs took about a quarter of the time
    that sorting every pair did (each comparison of two tuples compares their items in
    turn).
    Scores are never NaN (`Scorer.score` clamps them to 0..100)."""
    pairs = zip(map(neg, scores), ids, strict=True)
    if 0 < limit < len(scores):
        cut = -sorted(scores, reverse=True)[limit - 1]
        return sorted([pair for pair in pairs if pair[0] <= cut])[:limit]
    return sorted(pairs)[:limit]
