"""Search the directory: a GSTIN finds its business, a PAN its legal entity, a name the
best-matching businesses however they are spelled (`matching/` does the judging; the
index lives in the database, see `registry.search_index`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from matching.kinds import detect_kind
from matching.normalise import normalise
from matching.score import Candidate, TokenStats
from matching.search import MAX_POSTINGS, search_name
from registry import directory
from registry.complaints import VISIBLE
from registry.models import (
    Business,
    BusinessAlias,
    Complaint,
    NameTokenStat,
    NameVocabulary,
)
from registry.search_index import TOTAL


class _Frequencies(Mapping[str, int]):
    """Word frequencies read from the table in batches and kept for one search."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[str, int] = {}

    def load(self, tokens: Iterable[str]) -> None:
        missing = {t for t in tokens if t not in self.known}
        if not missing:
            return
        connection = self.session.connection()
        rows = connection.execute(
            select(NameTokenStat.token, NameTokenStat.doc_freq).where(
                _among(NameTokenStat.token, missing, connection.dialect.name)
            )
        ).all()
        self.known.update(dict.fromkeys(missing, 0))
        self.known.update({token: freq for token, freq in rows})

    def __getitem__(self, token: str) -> int:
        if token not in self.known:
            self.load([token])
        return self.known[token]

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)


def _among(column: Any, values: Iterable[Any], dialect: str) -> Any:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter whatever the
    count, so the statement text stays the same and the server can keep its plan."""
    ordered = sorted(values)
    if dialect == "postgresql":
        return column == any_(bindparam(None, ordered, type_=ARRAY(column.type)))
    return column.in_(ordered)


_LATERAL = text(
    "SELECT k.key, b.business_id FROM unnest(CAST(:keys AS text[])) AS k(key) "
    "CROSS JOIN LATERAL (SELECT business_id FROM business_keys "
    "WHERE key = k.key LIMIT :cap) AS b"
)
_LATERAL_IN_CITY = text(
    "SELECT k.key, b.business_id FROM unnest(CAST(:keys AS text[])) AS k(key) "
    "CROSS JOIN LATERAL (SELECT business_id FROM business_keys "
    "WHERE key = k.key AND city = :city LIMIT :cap) AS b"
)

#: Longest posting list fetched for a query. The matcher's own bound (`MAX_POSTINGS`) is
#: free in memory; over a database connection every row costs, and keys this common add
#: little evidence beside the rarer keys a query nearly always also has.
FETCH_LIMIT = 1000


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


class DatabaseIndex:
    """The look-ups `matching.search` needs, answered from the index tables."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # Core execution on the session's connection: these look-ups run several times per
        # keystroke-speed search and need none of the ORM's bookkeeping.
        self.connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.frequencies = _Frequencies(session)
        self.frequencies.load([TOTAL])
        self.stats = TokenStats(self.frequencies, max(self.frequencies[TOTAL], 1))

    def vocabulary(self, variants: Collection[str]) -> Mapping[str, Iterable[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        rows = self.connection.execute(
            select(NameVocabulary.variant, NameVocabulary.spelling, NameVocabulary.token).where(
                _among(NameVocabulary.variant, variants, self.dialect)
            )
        ).all()
        for variant, spelling, token in rows:
            found.setdefault(variant, []).append((spelling, token))
        self.frequencies.load(token for _, _, token in rows)
        return found

    def _capped(self, keys: Collection[str], city: str | None, cap: int) -> dict[str, list[int]]:
        """Ids under each key, at most `cap` per key: one round trip to PostgreSQL; on
        SQLite (in-process, no round trips) one indexed look-up per key, which its planner
        handles far better than a union of dozens of limited subqueries. (The registry
        runs on these two databases only.)"""
        if self.dialect == "sqlite":
            return self._capped_sqlite(keys, city, cap)
        return self._capped_postgresql(keys, city, cap)

    def _capped_postgresql(
        self, keys: Collection[str], city: str | None, cap: int
    ) -> dict[str, list[int]]:
        """One round trip: a LATERAL index scan with its own LIMIT for each key."""
        statement = _LATERAL_IN_CITY if city is not None else _LATERAL
        params: dict[str, Any] = {"keys": sorted(keys), "cap": cap}
        if city is not None:
            params["city"] = city
        found: dict[str, list[int]] = {}
        for key, business_id in self.connection.execute(statement, params):
            found.setdefault(key, []).append(business_id)
        return found

    def _capped_sqlite(
        self, keys: Collection[str], city: str | None, cap: int
    ) -> dict[str, list[int]]:
        cursor: Any = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        sql = "SELECT business_id FROM business_keys WHERE key = ?"
        if city is not None:
            sql += " AND city = ?"
        sql += " LIMIT ?"
        found: dict[str, list[int]] = {}
        for key in sorted(keys):
            params = (key, city, cap) if city is not None else (key, cap)
            ids = [row[0] for row in cursor.execute(sql, params)]
            if ids:
                found[key] = ids
        cursor.close()
        return found

    def _postings(self, keys: Collection[str], city: str | None) -> Mapping[str, Sequence[int]]:
        """Complete id lists of the keys listing at most `FETCH_LIMIT` businesses. Longer
        lists (a common word's runs to tens of thousands of rows at a million businesses)
        are not fetched; only when every key is long is the shortest one fetched, as the
        matcher itself would fall back to it."""
        found = self._capped(keys, city, FETCH_LIMIT + 1)
        small = {k: ids for k, ids in found.items() if len(ids) <= FETCH_LIMIT}
        if small or not found:
            return small
        sizes = self._capped(found, city, MAX_POSTINGS + 1)
        shortest = min(sizes, key=lambda k: (len(sizes[k]), k))
        if len(sizes[shortest]) <= MAX_POSTINGS:
            return {shortest: sizes[shortest]}
        return {shortest: self._capped([shortest], city, 10 * MAX_POSTINGS)[shortest]}

    def postings(self, keys: Collection[str]) -> Mapping[str, Sequence[int]]:
        return self._postings(keys, None)

    def local_postings(self, keys: Collection[str], city: str) -> Mapping[str, Sequence[int]]:
        return self._postings(keys, city)

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        if not ids:
            return {}
        rows = self.connection.execute(
            select(Business.id, Business.name, Business.city, Business.state, BusinessAlias.name)
            .outerjoin(BusinessAlias, BusinessAlias.business_id == Business.id)
            .where(_among(Business.id, ids, self.dialect), Business.merged_into_id.is_(None))
            .order_by(Business.id, BusinessAlias.id)
        ).all()
        aliases: dict[int, list[str]] = {}
        for row in rows:
            names = aliases.setdefault(row[0], [])
            if row[4] is not None:
                names.append(row[4])
        out = {
            row[0]: _candidate(row[0], row[1], row[2], row[3], tuple(aliases[row[0]]))
            for row in rows
        }
        self.frequencies.load(t for c in out.values() for t in c.name.folded_tokens)
        return out


@lru_cache(maxsize=100_000)
def _candidate(
    business_id: int, name: str, city: str | None, state: str | None, aliases: tuple[str, ...]
) -> Candidate:
    """Normalising names is the costly part of scoring; a business's candidate record
    depends only on these values, so each web worker keeps the recent ones."""
    return Candidate.build(business_id, name, city, state, aliases=aliases)


@dataclass(frozen=True)
class Hit:
    business: Business
    score: float
    gstins: list[str] = field(default_factory=list)
    listed_complaints: int = 0


@dataclass(frozen=True)
class SearchResult:
    kind: str
    hits: list[Hit]


def listed_counts(session: Session, business_ids: Collection[int]) -> dict[int, int]:
    """Complaints other members can see (listed, disputed, settled), per business."""
    if not business_ids:
        return {}
    rows = session.execute(
        select(Complaint.business_id, func.count())
        .where(
            _among(Complaint.business_id, business_ids, _dialect(session)),
            Complaint.status.in_(VISIBLE),
        )
        .group_by(Complaint.business_id)
    ).all()
    return {business_id: count for business_id, count in rows}


def _hits(session: Session, scored: Sequence[tuple[Business, float]]) -> list[Hit]:
    counts = listed_counts(session, [b.id for b, _ in scored])
    gstins = directory.legal_entity_gstins(session, [b for b, _ in scored])
    return [
        Hit(b, round(score, 1), gstins.get(b.id, []), counts.get(b.id, 0)) for b, score in scored
    ]


def similar_names(
    session: Session,
    name: str,
    city: str | None = None,
    state: str | None = None,
    limit: int = 5,
) -> list[tuple[Business, float]]:
    """Businesses whose name matches, best first, with scores 0..100."""
    index = DatabaseIndex(session)
    query = normalise(name)
    index.frequencies.load(query.folded_tokens)
    matches = search_name(query, index, city=city, state=state, limit=limit)
    found = {
        b.id: b
        for b in session.scalars(
            select(Business).where(_among(Business.id, [m.id for m in matches], _dialect(session)))
        )
    }
    return [(found[m.id], m.score) for m in matches if m.id in found]


def search(
    session: Session,
    q: str,
    city: str | None = None,
    state: str | None = None,
    limit: int = 10,
) -> SearchResult:
    """What the search box does: decide what `q` is, then find it."""
    kind = detect_kind(q)
    if kind.kind == "gstin":
        business = directory.by_gstin(session, kind.value)
        return SearchResult("gstin", _hits(session, [(business, 100.0)] if business else []))
    if kind.kind == "pan":
        found = directory.by_pan(session, kind.value)
        return SearchResult("pan", _hits(session, [(b, 100.0) for b in found[:limit]]))
    scored = similar_names(session, q, city, state, limit)
    return SearchResult("name", _hits(session, scored))


def identity_hit(session: Session, business: Business) -> Hit:
    """A business presented like a search result (score 100: it is the one asked for)."""
    return _hits(session, [(business, 100.0)])[0]
