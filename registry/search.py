"""Search the directory: a GSTIN finds its business, a PAN its legal entity, a name the
best-matching businesses however they are spelled (`matching/` does the judging; the
index lives in the database, see `registry.search_index`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import and_, func, literal, null, select, text, union_all
from sqlalchemy.orm import Session

from matching.kinds import detect_kind
from matching.normalise import VERSION, NormalName, canonical_city, normalise
from matching.score import Candidate, TokenStats, canonical_state
from matching.search import MAX_POSTINGS, search_name
from registry import directory
from registry.complaints import VISIBLE
from registry.db import among
from registry.models import (
    Business,
    BusinessAlias,
    Complaint,
    NameTokenStat,
    NameVocabulary,
    NormalNameRecord,
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
            _statement("frequencies", connection.dialect.name), {"values": sorted(missing)}
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


def _among(column: Any, dialect: str) -> Any:
    return among(column, "values", dialect)


@cache
def _statement(name: str, dialect: str) -> Any:
    """The look-ups a search makes, built once per database kind (building a statement
    costs about as much as running a small one), each taking its list as `values`."""
    if name == "frequencies":
        return select(NameTokenStat.token, NameTokenStat.doc_freq).where(
            _among(NameTokenStat.token, dialect)
        )
    if name == "vocabulary":
        return (
            select(
                NameVocabulary.variant,
                NameVocabulary.spelling,
                NameVocabulary.token,
                NameTokenStat.doc_freq,
            )
            .outerjoin(NameTokenStat, NameTokenStat.token == NameVocabulary.token)
            .where(_among(NameVocabulary.variant, dialect))
        )
    if name == "names":
        return _names_of(dialect)
    if name == "businesses":  # with their listed complaints, as a search shows them
        listed = (
            select(func.count())
            .where(Complaint.business_id == Business.id, Complaint.status.in_(VISIBLE))
            .scalar_subquery()
        )
        return select(Business, listed).where(_among(Business.id, dialect))
    if name == "listed":
        return (
            select(Complaint.business_id, func.count())
            .where(_among(Complaint.business_id, dialect), Complaint.status.in_(VISIBLE))
            .group_by(Complaint.business_id)
        )
    raise KeyError(name)


# One row per key with its ids as an array (and, for a search in a city, the ids in that
# city beside them): a few dozen rows cross the connection instead of thousands, and the
# driver decodes each array in one go.
_POSTINGS = text(
    "SELECT k.key, ARRAY(SELECT business_id FROM business_keys WHERE key = k.key LIMIT :cap), "
    "NULL FROM unnest(CAST(:keys AS text[])) AS k(key)"
)
_POSTINGS_AND_LOCAL = text(
    "SELECT k.key, ARRAY(SELECT business_id FROM business_keys WHERE key = k.key LIMIT :cap), "
    "ARRAY(SELECT business_id FROM business_keys WHERE key = k.key AND city = :city LIMIT :cap) "
    "FROM unnest(CAST(:keys AS text[])) AS k(key)"
)

_SQLITE_KEY = "SELECT business_id FROM business_keys WHERE key = ? LIMIT ?"
_SQLITE_KEY_IN_CITY = "SELECT business_id FROM business_keys WHERE key = ? AND city = ? LIMIT ?"

#: Longest posting list fetched for a query. The matcher's own bound (`MAX_POSTINGS`) is
#: free in memory; over a database connection every row costs, and keys this common add
#: little evidence beside the rarer keys a query nearly always also has.
FETCH_LIMIT = 1000


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


class DatabaseIndex:
    """The look-ups `matching.search` needs, answered from the index tables."""

    #: Lists longer than this arrive cut short: they only tell the matcher that a key is
    #: common (it then uses the key within the asked city alone).
    posting_limit = FETCH_LIMIT

    def __init__(
        self, session: Session, tokens: Iterable[str] = (), city: str | None = None
    ) -> None:
        """`tokens`: words whose frequencies will be needed (a query's), read at once;
        `city`: the city a search asks for (canonical), whose key hits come along with the
        others in the same round trip."""
        self.city = city
        self._local: dict[str, list[int]] | None = None
        self.session = session
        # Core execution on the session's connection: these look-ups run several times per
        # keystroke-speed search and need none of the ORM's bookkeeping.
        self.connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.frequencies = _Frequencies(session)
        self.frequencies.load([TOTAL, *tokens])
        self.stats = TokenStats(self.frequencies, max(self.frequencies[TOTAL], 1))

    def vocabulary(self, variants: Collection[str]) -> Mapping[str, Iterable[tuple[str, str]]]:
        """The vocabulary rows, and with them the frequencies of their words."""
        found: dict[str, list[tuple[str, str]]] = {}
        rows = self.connection.execute(
            _statement("vocabulary", self.dialect), {"values": sorted(variants)}
        ).all()
        for variant, spelling, token, doc_freq in rows:
            found.setdefault(variant, []).append((spelling, token))
            self.frequencies.known[token] = doc_freq or 0
        return found

    def _capped(
        self, keys: Collection[str], cap: int, city: str | None = None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Ids under each key, at most `cap` per key, and with `city` also those in it.
        One round trip to PostgreSQL; on SQLite (in-process, no round trips) indexed
        look-ups key by key, which its planner handles far better than one big statement.
        (The registry runs on these two databases only.)"""
        if self.dialect == "sqlite":
            return self._capped_sqlite(keys, cap, city)
        statement = _POSTINGS_AND_LOCAL if city is not None else _POSTINGS
        params: dict[str, Any] = {"keys": sorted(keys), "cap": cap}
        if city is not None:
            params["city"] = city
        everywhere: dict[str, list[int]] = {}
        local: dict[str, list[int]] = {}
        for key, ids, here in self.connection.execute(statement, params):
            if ids:
                everywhere[key] = ids
            if here:
                local[key] = here
        return everywhere, local

    def _capped_sqlite(
        self, keys: Collection[str], cap: int, city: str | None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        cursor: Any = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        everywhere: dict[str, list[int]] = {}
        local: dict[str, list[int]] = {}
        for key in sorted(keys):
            ids = [row[0] for row in cursor.execute(_SQLITE_KEY, (key, cap))]
            if not ids:
                continue
            everywhere[key] = ids
            if city is not None:
                here = [row[0] for row in cursor.execute(_SQLITE_KEY_IN_CITY, (key, city, cap))]
                if here:
                    local[key] = here
        cursor.close()
        return everywhere, local

    def postings(self, keys: Collection[str]) -> Mapping[str, Sequence[int]]:
        """Id lists, complete up to `posting_limit` ids and cut short beyond (a common
        word's runs to tens of thousands at a million businesses). Only when every key is
        long is the shortest one fetched whole, as the matcher then falls back to it."""
        everywhere, self._local = self._capped(keys, FETCH_LIMIT + 1, self.city)
        if not everywhere or any(len(ids) <= FETCH_LIMIT for ids in everywhere.values()):
            return everywhere
        sizes, _ = self._capped(everywhere, MAX_POSTINGS + 1)
        shortest = min(sizes, key=lambda k: (len(sizes[k]), k))
        if len(sizes[shortest]) > MAX_POSTINGS:
            sizes, _ = self._capped([shortest], 10 * MAX_POSTINGS)
        self._local = {k: v for k, v in self._local.items() if k == shortest}
        return {shortest: sizes[shortest]}

    def local_postings(self, keys: Collection[str], city: str) -> Mapping[str, Sequence[int]]:
        if city != self.city or self._local is None:
            _, self._local = self._capped(keys, FETCH_LIMIT, city)
            self.city = city
        return {key: self._local[key] for key in keys if key in self._local}

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        """Candidate records, each name decoded from its stored normal form (normalising
        is the costly part of scoring; a name without a stored form is normalised here)."""
        if not ids:
            return {}
        names: dict[int, tuple[NormalName, str | None, str | None]] = {}
        aliases: dict[int, list[NormalName]] = {}
        for business_id, alias_id, name, city, state, encoded in self.connection.execute(
            _statement("names", self.dialect), {"values": sorted(ids)}
        ):
            normal = NormalName.decode(encoded) if encoded else normalise(name)
            if alias_id == 0:
                names[business_id] = (normal, city, state)
            else:
                aliases.setdefault(business_id, []).append(normal)
        out = {
            business_id: Candidate(
                business_id,
                normal,
                canonical_city(city),
                canonical_state(state),
                tuple(aliases.get(business_id, ())),
            )
            for business_id, (normal, city, state) in names.items()
        }
        self.frequencies.load(t for c in out.values() for t in c.name.folded_tokens)
        return out


def _names_of(dialect: str) -> Any:
    """Every name of these (unmerged) businesses with its stored normal form if any: own
    names with alias id 0, then aliases in the order they were added."""
    stored = NormalNameRecord.version == VERSION
    own = (
        select(
            Business.id,
            literal(0).label("alias_id"),
            Business.name,
            Business.city,
            Business.state,
            NormalNameRecord.encoded,
        )
        .outerjoin(NormalNameRecord, and_(stored, NormalNameRecord.name == Business.name))
        .where(_among(Business.id, dialect), Business.merged_into_id.is_(None))
    )
    other = (
        select(
            BusinessAlias.business_id,
            BusinessAlias.id,
            BusinessAlias.name,
            null(),
            null(),
            NormalNameRecord.encoded,
        )
        .join(Business, Business.id == BusinessAlias.business_id)
        .outerjoin(NormalNameRecord, and_(stored, NormalNameRecord.name == BusinessAlias.name))
        .where(_among(Business.id, dialect), Business.merged_into_id.is_(None))
    )
    return union_all(own, other).order_by(text("1"), text("2"))


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
        _statement("listed", _dialect(session)), {"values": sorted(business_ids)}
    ).all()
    return {business_id: count for business_id, count in rows}


def _hits(
    session: Session,
    scored: Sequence[tuple[Business, float]],
    counts: Mapping[int, int] | None = None,
) -> list[Hit]:
    """Search results: each business with its legal entity's GSTINs and its listed
    complaints (`counts`, when the caller already has them)."""
    if counts is None:
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
    return [
        (business, score) for business, score, _ in _name_matches(session, name, city, state, limit)
    ]


def _name_matches(
    session: Session, name: str, city: str | None, state: str | None, limit: int
) -> list[tuple[Business, float, int]]:
    """`similar_names`, each also with its count of listed complaints (read with it)."""
    query = normalise(name)
    index = DatabaseIndex(session, query.folded_tokens, canonical_city(city) or query.city_hint)
    matches = search_name(query, index, city=city, state=state, limit=limit)
    found = {
        business.id: (business, listed)
        for business, listed in session.execute(
            _statement("businesses", _dialect(session)), {"values": sorted(m.id for m in matches)}
        )
    }
    out = []
    for match in matches:
        if match.id in found:
            business, listed = found[match.id]
            out.append((business, match.score, listed))
    return out


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
    matches = _name_matches(session, q, city, state, limit)
    counts = {business.id: listed for business, _, listed in matches}
    return SearchResult("name", _hits(session, [(b, s) for b, s, _ in matches], counts))


def identity_hit(session: Session, business: Business) -> Hit:
    """A business presented like a search result (score 100: it is the one asked for)."""
    return _hits(session, [(business, 100.0)])[0]
