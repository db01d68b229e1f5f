"""Search the directory: a GSTIN finds its business, a PAN its legal entity, a name the
best-matching businesses however they are spelled (`matching/` does the judging; the
index lives in the database, see `registry.search_index`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matching.kinds import detect_kind
from matching.normalise import normalise
from matching.score import Candidate, TokenStats
from matching.search import search_name
from registry import directory
from registry.complaints import VISIBLE
from registry.models import Business, BusinessKey, Complaint, NameTokenStat, NameVocabulary
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
        rows = self.session.execute(
            select(NameTokenStat.token, NameTokenStat.doc_freq).where(
                NameTokenStat.token.in_(sorted(missing))
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


class DatabaseIndex:
    """The three look-ups `matching.search` needs, answered from the index tables."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.frequencies = _Frequencies(session)
        self.frequencies.load([TOTAL])
        self.stats = TokenStats(self.frequencies, max(self.frequencies[TOTAL], 1))
        self.businesses: dict[int, Business] = {}

    def vocabulary(self, variants: Collection[str]) -> Mapping[str, Iterable[str]]:
        found: dict[str, list[str]] = {}
        rows = self.session.execute(
            select(NameVocabulary.variant, NameVocabulary.token).where(
                NameVocabulary.variant.in_(sorted(variants))
            )
        ).all()
        for variant, token in rows:
            found.setdefault(variant, []).append(token)
        self.frequencies.load(token for tokens in found.values() for token in tokens)
        return found

    def postings(self, keys: Collection[str]) -> Mapping[str, Sequence[int]]:
        found: dict[str, list[int]] = {}
        rows = self.session.execute(
            select(BusinessKey.key, BusinessKey.business_id).where(
                BusinessKey.key.in_(sorted(keys))
            )
        ).all()
        for key, business_id in rows:
            found.setdefault(key, []).append(business_id)
        return found

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        if not ids:
            return {}
        rows = self.session.scalars(
            select(Business)
            .where(Business.id.in_(sorted(ids)), Business.merged_into_id.is_(None))
            .options(selectinload(Business.gstins))
        ).all()
        out = {}
        for business in rows:
            self.businesses[business.id] = business
            out[business.id] = Candidate.build(
                business.id, business.name, business.city, business.state
            )
        self.frequencies.load(t for c in out.values() for t in c.name.folded_tokens)
        return out


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
        .where(Complaint.business_id.in_(sorted(business_ids)), Complaint.status.in_(VISIBLE))
        .group_by(Complaint.business_id)
    ).all()
    return {business_id: count for business_id, count in rows}


def _hits(session: Session, scored: Sequence[tuple[Business, float]]) -> list[Hit]:
    counts = listed_counts(session, [b.id for b, _ in scored])
    return [
        Hit(b, round(score, 1), directory.gstins_of_legal_entity(session, b), counts.get(b.id, 0))
        for b, score in scored
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
    matches = search_name(normalise(name), index, city=city, state=state, limit=limit)
    return [(index.businesses[m.id], m.score) for m in matches if m.id in index.businesses]


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
