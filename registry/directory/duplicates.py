"""The admins' queue of probable duplicate businesses, refreshed by
`registry find-duplicates` from `matching.dedupe` (blocking, never all pairs)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from matching.dedupe import DedupeRecord, find_duplicates
from registry import audit
from registry.actors import Actor
from registry.errors import NotFound
from registry.language import N_, Said
from registry.models import Business, BusinessGstin, DuplicatePair, PairStatus
from registry.search_index.name_index import insert_ignoring_duplicates
from registry.states import StateMachine

CHUNK = 20000


#: A proposed pair: open until an admin merges the two (undone: open again) or says they
#: are different businesses; a dismissed pair may still be merged later.
LIFE = StateMachine[PairStatus](
    entity="duplicate_pair",
    moves={
        PairStatus.OPEN: frozenset({PairStatus.MERGED, PairStatus.DISMISSED}),
        PairStatus.MERGED: frozenset({PairStatus.OPEN}),
        PairStatus.DISMISSED: frozenset({PairStatus.MERGED}),
    },
)


def transition(
    session: Session,
    pair: DuplicatePair,
    target: PairStatus,
    actor: Actor,
    note: str | None = None,
    *,
    action: str = "transition",
) -> None:
    """The one way a duplicate pair changes state (checked, audited)."""
    LIFE.apply(session, pair, target, actor, note, action=action)


def pair_of(session: Session, one: int, other: int) -> DuplicatePair | None:
    """The pair the finder proposed for two businesses, if it did."""
    return session.scalar(
        select(DuplicatePair).where(
            DuplicatePair.a_id == min(one, other), DuplicatePair.b_id == max(one, other)
        )
    )


def _records(session: Session) -> Iterator[DedupeRecord]:
    """Every live business, streamed in id order (one GSTIN each is enough to block on)."""
    first_gstin = (
        select(BusinessGstin.business_id, func.min(BusinessGstin.gstin).label("gstin"))
        .group_by(BusinessGstin.business_id)
        .subquery()
    )
    query = (
        select(
            Business.id,
            Business.name,
            first_gstin.c.gstin,
            Business.pan,
            Business.city,
            Business.state,
        )
        .outerjoin(first_gstin, first_gstin.c.business_id == Business.id)
        .where(Business.merged_into_id.is_(None))
        .order_by(Business.id)
        .execution_options(yield_per=CHUNK)
    )
    for row in session.execute(query):
        yield DedupeRecord(row.id, row.name, row.gstin, row.pan, row.city, row.state)


def refresh(session: Session) -> dict[str, Any]:
    """Recompute the open pairs. Pairs an admin dismissed or merged are not proposed again."""
    started = time.perf_counter()
    records = list(_records(session))
    found = find_duplicates(records)
    session.execute(delete(DuplicatePair).where(DuplicatePair.status == PairStatus.OPEN))
    rows = [
        {
            "a_id": min(p.a, p.b),
            "b_id": max(p.a, p.b),
            "score": round(p.score, 2),
            "reasons": json.dumps(list(p.reasons)),
            "status": PairStatus.OPEN.value,
        }
        for p in found
    ]
    insert_ignoring_duplicates(session, DuplicatePair.__table__, rows)  # type: ignore[arg-type]
    session.flush()
    open_pairs = session.scalar(
        select(func.count())
        .select_from(DuplicatePair)
        .where(DuplicatePair.status == PairStatus.OPEN)
    )
    return {
        "businesses": len(records),
        "pairs_found": len(found),
        "open_pairs": open_pairs,
        "seconds": round(time.perf_counter() - started, 2),
    }


def refresh_by(session: Session, actor: Actor) -> dict[str, Any]:
    """`refresh`, asked for by a person (an admin's button, the CLI): audited with what
    it found."""
    summary = refresh(session)
    audit.record(
        session,
        actor,
        "duplicate_queue",
        "all",
        "refreshed",
        note=f"{summary['pairs_found']} probable pairs found, {summary['open_pairs']} open",
    )
    return summary


def open_pairs_query() -> Select[DuplicatePair]:
    """Open pairs, best first (for a paged list)."""
    return (
        select(DuplicatePair)
        .where(DuplicatePair.status == PairStatus.OPEN)
        .order_by(DuplicatePair.score.desc(), DuplicatePair.id)
    )


def open_pairs(session: Session, limit: int = 100, offset: int = 0) -> Sequence[DuplicatePair]:
    return session.scalars(open_pairs_query().offset(offset).limit(limit)).all()


#: The matcher's reasons (plain English: `matching` knows no catalogue) as catalogue texts,
#: so the duplicates queue reads them in its reader's language.
_REASONS = (
    (re.compile(r"names similar \((?P<percent>\d+)%\)"), N_("names similar (%(percent)s%%)")),
    (re.compile(r"same legal form \((?P<form>.*)\)"), N_("same legal form (%(form)s)")),
    (
        re.compile(r"legal forms differ \((?P<one>.*) / (?P<other>.*)\)"),
        N_("legal forms differ (%(one)s / %(other)s)"),
    ),
    *(
        (re.compile(re.escape(text)), text)
        for text in (
            N_("same GSTIN"),
            N_("same PAN"),
            N_("different GSTINs of one legal entity"),
            N_("names match after normalisation"),
            N_("same city"),
            N_("city missing on one record"),
        )
    ),
)


def reasons(pair: DuplicatePair) -> list[str]:
    """Why the matcher paired the two, each a `Said` a page translates (a reason the
    catalogue does not know stays as written)."""
    loaded: list[str] = json.loads(pair.reasons or "[]")
    return [_said_reason(reason) for reason in loaded]


def _said_reason(reason: str) -> str:
    for pattern, template in _REASONS:
        if found := pattern.fullmatch(reason):
            return Said(template, **found.groupdict())
    return reason


def dismiss(session: Session, pair_id: int, actor: Actor) -> DuplicatePair:
    """An admin says the two are different businesses; the pair is not proposed again."""
    pair = session.get(DuplicatePair, pair_id)
    if pair is None:
        raise NotFound(f"No duplicate pair {pair_id}.")
    transition(session, pair, PairStatus.DISMISSED, actor, action="dismissed")
    audit.record(
        session, actor, "business", pair.a_id, "not_duplicate", note=f"not the same as #{pair.b_id}"
    )
    return pair
