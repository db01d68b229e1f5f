"""Search the directory: a GSTIN finds its business, a PAN its legal entity, a name the
best-matching businesses however they are spelled (`matching/` does the judging; the
index lives in the database, see `registry.search_index.name_index` and
`registry.search_index.database_index`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.kinds import detect_kind
from matching.normalise import NormalName, canonical_city, normalise
from matching.score import canonical_state
from matching.search import Match, SearchBackend, search_name
from registry.directory import businesses, identities
from registry.directory.identities import Counts, ShownBusiness, shown_reader, shown_statement
from registry.directory.identities import gstins as gstin_list
from registry.models import Business
from registry.models.complaints import settled_shown_since
from registry.search_index.database_index import (
    DatabaseIndex,
    dialect_of,
    query_vocabulary_variants,
)
from registry.search_index.memory_copy import IndexCopy, ReadChanges
from registry.search_index.process_index import CopiedIndex, IndexCopies

__all__ = [
    "DatabaseIndex",
    "Hit",
    "SearchResult",
    "ShownBusiness",
    "complaint_counts",
    "identity_hit",
    "search",
    "similar_names",
]


@dataclass(frozen=True)
class Hit:
    business: ShownBusiness
    score: float
    gstins: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    @property
    def listed_complaints(self) -> int:
        """Complaints in the state listed (not disputed or settled ones)."""
        return self.counts.listed

    @property
    def disputed_complaints(self) -> int:
        return self.counts.disputed

    @property
    def settled_complaints(self) -> int:
        """Settled within the five years the history keeps them."""
        return self.counts.settled


@dataclass(frozen=True)
class SearchResult:
    kind: str
    hits: list[Hit]


def complaint_counts(session: Session, business_ids: Collection[int]) -> dict[int, Counts]:
    """Per business, the complaints other members can see, by state: listed, disputed,
    and settled within five years."""
    if not business_ids:
        return {}
    rows = session.execute(
        shown_statement("counts", dialect_of(session)),
        {"values": sorted(business_ids), "settled_since": settled_shown_since()},
    ).all()
    return {business_id: Counts(*map(int, counts)) for business_id, *counts in rows}


def similar_names(
    session: Session,
    name: str,
    city: str | None = None,
    state: str | None = None,
    limit: int = 5,
) -> list[tuple[Business, float]]:
    """Businesses whose name matches, best first, with scores 0..100 (from the tables:
    filings and imports match their debtors here, outside any web worker's copy)."""
    matches = _name_matches(session, name, city, state, limit)
    if not matches:
        return []
    found = {
        business.id: business
        for business in session.scalars(
            select(Business).where(Business.id.in_([m.id for m in matches]))
        )
    }
    return [(found[m.id], m.score) for m in matches if m.id in found]


#: A search asked with more text than this (its query, city and state) is answered but its
#: answer is not kept (`IndexCopy.answer`): what a worker keeps stays bounded in memory
#: whatever is typed (the API takes a city or a state of any length).
KEPT_TEXT = 400


def _name_matches(
    session: Session,
    name: str,
    city: str | None,
    state: str | None,
    limit: int,
    copies: IndexCopies | None = None,
    read: ReadChanges | None = None,
) -> list[Match]:
    """The businesses whose name matches, best first (from the index copy in `copies`
    when there is one to use, which keeps recent answers, else from the tables).

    A copy keeps each answer twice: under the search as typed, which a repeat finds
    without even normalising it, and under what the matcher's answer depends on (the
    normalised name, the canonical place, the limit), which a search typed otherwise but
    meaning the same finds ("M/s Balaji Traders, Pune" after "BALAJI TRADERS, pune")."""
    copy = copies.caught_up(session, read) if copies else None
    if copy is None or len(name) + len(city or "") + len(state or "") > KEPT_TEXT:
        return _matched(session, copy, normalise(name), city, state, limit)

    def normalised() -> list[Match]:
        query = normalise(name)
        asked = (query, canonical_city(city) or query.city_hint, canonical_state(state), limit)
        return copy.answer(asked, lambda: _matched(session, copy, query, city, state, limit))

    return copy.answer((name, city, state, limit), normalised)


def _matched(
    session: Session,
    copy: IndexCopy | None,
    query: NormalName,
    city: str | None,
    state: str | None,
    limit: int,
) -> list[Match]:
    """`search_name` on the index copy, else on the tables."""
    place = canonical_city(city) or query.city_hint
    index: SearchBackend
    if copy is None:
        variants = query_vocabulary_variants(query)
        index = DatabaseIndex(session, query.folded_tokens, place, variants=variants)
    else:
        index = CopiedIndex(copy, place)
    return search_name(query, index, city=city, state=state, limit=limit)


def search(
    session: Session,
    q: str,
    city: str | None = None,
    state: str | None = None,
    limit: int = 10,
    copies: IndexCopies | None = None,
    read: ReadChanges | None = None,
) -> SearchResult:
    """What the search box does: decide what `q` is, then find it (a name from the index
    copy in `copies` when there is one to use; `read`: the index's changes, read already
    with something else on this session, see `IndexCopies.generation_to_read`)."""
    kind = detect_kind(q)
    if kind.kind == "gstin":
        return SearchResult("gstin", _identified(session, "by_gstin", {"gstin": kind.value}))
    if kind.kind == "pan":
        return SearchResult("pan", _identified(session, "by_pan", {"pan": kind.value})[:limit])
    matches = _name_matches(session, q, city, state, limit, copies, read)
    shown = _shown(session, "businesses_and_gstins", {"values": sorted(m.id for m in matches)})
    found = {business.id: (business, counts, gstins) for business, counts, gstins in shown}
    hits = []
    for match in matches:
        if match.id in found:
            business, counts, gstins = found[match.id]
            hits.append(Hit(business, round(match.score, 1), gstins, counts))
    return SearchResult("name", hits)


def _identified(session: Session, statement: str, params: dict[str, Any]) -> list[Hit]:
    """The businesses a GSTIN or a PAN names (score 100), with what a search shows of
    them, read in one statement (`shown_statement`'s "by_gstin" or "by_pan"). A GSTIN
    still on a business merged away (a merge moves them, so this is a safety net) answers
    its survivor, read as `identity_hit` reads one."""
    hits = []
    for business, counts, gstins in _shown(session, statement, params):
        if business.merged_into_id is not None:
            merged = businesses.get(session, business.id)
            return [identity_hit(session, merged)] if merged is not None else []
        hits.append(Hit(business, 100.0, gstins, counts))
    return hits


def identity_hit(session: Session, business: Business) -> Hit:
    """A business presented like a search result (score 100: it is the one asked for),
    its complaints' counts and GSTINs read in one statement."""
    shown = _shown(session, "businesses_and_gstins", {"values": [business.id]})
    if shown:
        return Hit(shown[0][0], 100.0, shown[0][2], shown[0][1])
    return Hit(identities.shown(business), 100.0)


def _shown(
    session: Session, statement: str, params: dict[str, Any]
) -> list[tuple[ShownBusiness, Counts, list[str]]]:
    """Businesses as a search shows them, read by one of `shown_statement`'s statements
    (`params`: what it looks for): each with its complaints' counts and its legal entity's
    GSTINs. Read on the session's connection's driver cursor, as plain rows: through the
    session, the ORM's handling of a statement cost more than the statement, and through
    the connection, SQLAlchemy's setup of each execution still did (`DriverStatement`)."""
    if session.autoflush:  # as the session's own execute would: pending changes are seen
        session.flush()
    rows = shown_reader(statement, dialect_of(session)).rows(
        session.connection(), {**params, "settled_since": settled_shown_since()}
    )
    return [
        (
            ShownBusiness(*row[:_COUNTS_AT]),
            Counts(*map(int, row[_COUNTS_AT:_GSTINS_AT])),
            gstin_list(row[_GSTINS_AT]),
        )
        for row in rows
    ]


#: Where a row of `shown_statement` holds the counts, then the GSTINs.
_COUNTS_AT = len(identities.IDENTITY)
_GSTINS_AT = _COUNTS_AT + len(identities.COUNTED)
