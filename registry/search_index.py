"""The name index in the database: blocking keys per business (with its city), the
vocabulary of spelling variants, and word frequencies. Shared by every web worker and
the CLI; `matching.keys` decides what the rows are.

Rows are only ever inserted with "on conflict do nothing" or incremented in place, so
concurrent filings cannot trip over each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from matching.keys import indexed_tokens, name_keys, vocabulary_entries, vocabulary_keys
from matching.normalise import canonical_city, normalise
from registry.models import BusinessKey, NameTokenStat, NameVocabulary

#: The row of `name_token_stats` that counts indexed names (the N of the IDF weights).
TOTAL = "#names"
BATCH = 5000
LOOKUP_CHUNK = 2000
MAX_LENGTH = 64

KEYS: Table = BusinessKey.__table__  # type: ignore[assignment]
VOCABULARY: Table = NameVocabulary.__table__  # type: ignore[assignment]
STATS: Table = NameTokenStat.__table__  # type: ignore[assignment]


@dataclass
class Rows:
    """What some names add to the index, computed once (`matching` is pure Python)."""

    keys: list[tuple[str, int, str | None]] = field(default_factory=list)
    tokens: Counter[str] = field(default_factory=Counter)
    entries: set[tuple[str, str]] = field(default_factory=set)

    def add(self, business_id: int, names: Iterable[str], city: str | None) -> None:
        place = canonical_city(city)
        seen: set[str] = set()
        for name in names:
            if not name or not name.strip():
                continue
            normal = normalise(name)
            seen |= name_keys(normal)
            self.tokens.update(set(indexed_tokens(normal)))
            self.tokens[TOTAL] += 1
            self.entries |= vocabulary_entries(normal)
        self.keys.extend((key, business_id, place) for key in sorted(seen) if len(key) <= 128)


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    for start in range(0, len(rows), BATCH):
        chunk = list(rows[start : start + BATCH])
        if chunk:
            session.execute(_insert(session, table).on_conflict_do_nothing(), chunk)


def _increment(session: Session, counts: Mapping[str, int], sign: int = 1) -> None:
    """Add to word frequencies, in a fixed order so concurrent writers cannot deadlock."""
    items = sorted((t, n) for t, n in counts.items() if len(t) <= MAX_LENGTH)
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        if sign > 0:
            statement = _insert(session, STATS)
            statement = statement.on_conflict_do_update(
                index_elements=["token"],
                set_={"doc_freq": STATS.c.doc_freq + statement.excluded.doc_freq},
            )
            session.execute(statement, [{"token": t, "doc_freq": n} for t, n in chunk])
        else:
            for token, n in chunk:
                session.execute(
                    update(STATS).where(STATS.c.token == token).values(doc_freq=STATS.c.doc_freq - n)
                )


def add_vocabulary(session: Session, entries: Iterable[tuple[str, str]]) -> None:
    """Store the spelling variants of (spelling, word) entries the vocabulary lacks. An
    entry is known when its spelling is stored as a variant of itself."""
    wanted = {(s, t) for s, t in entries if len(s) <= MAX_LENGTH and len(t) <= MAX_LENGTH}
    known: set[tuple[str, str]] = set()
    ordered = sorted(wanted)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = [(s, s, t) for s, t in ordered[start : start + LOOKUP_CHUNK]]
        found = session.execute(
            select(VOCABULARY.c.spelling, VOCABULARY.c.token).where(
                tuple_(VOCABULARY.c.variant, VOCABULARY.c.spelling, VOCABULARY.c.token).in_(chunk)
            )
        )
        known.update((spelling, token) for spelling, token in found)
    rows = [
        {"variant": variant, "spelling": spelling, "token": token}
        for spelling, token in sorted(wanted - known)
        for variant in sorted(vocabulary_keys(spelling))
        if len(variant) <= MAX_LENGTH
    ]
    insert_ignoring_duplicates(session, VOCABULARY, rows)


def _write(session: Session, rows: Rows, fresh: bool) -> None:
    if fresh:
        fast_insert(session, KEYS, ("key", "business_id", "city"), rows.keys)
    else:
        insert_ignoring_duplicates(
            session, KEYS, [{"key": k, "business_id": b, "city": c} for k, b, c in rows.keys]
        )
    add_vocabulary(session, rows.entries)
    _increment(session, rows.tokens)
    session.flush()


def add_names(
    session: Session, business_id: int, names: Iterable[str], city: str | None = None
) -> None:
    """Index names (a business's own or aliases) under `business_id`."""
    rows = Rows()
    rows.add(business_id, names, city)
    if rows.keys:
        _write(session, rows, fresh=False)


def remove_business(session: Session, business_id: int, names: Iterable[str]) -> None:
    """Take a business's names out of the index (before a merge or a rename)."""
    session.execute(delete(BusinessKey).where(BusinessKey.business_id == business_id))
    rows = Rows()
    rows.add(business_id, names, None)
    _increment(session, rows.tokens, sign=-1)
    session.flush()


def bulk_add(
    session: Session,
    items: Sequence[tuple[int, Sequence[str], str | None]],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Index many new businesses at once (import): the rows `add_names` would write."""
    rows = Rows()
    for done, (business_id, names, city) in enumerate(items, start=1):
        rows.add(business_id, names, city)
        if progress and (done % 50000 == 0 or done == len(items)):
            progress(done, len(items))
    rows.keys.sort()
    _write(session, rows, fresh=True)


def fast_insert(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert many new rows: COPY on PostgreSQL, batched executemany elsewhere."""
    connection = session.connection()
    count = 0
    if connection.dialect.name == "postgresql":
        raw: Any = connection.connection.driver_connection
        names = ", ".join(columns)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    statement = table.insert()
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= BATCH:
            connection.execute(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.execute(statement, batch)
        count += len(batch)
    return count


def refresh_statistics(session: Session) -> None:
    """After a bulk load, let PostgreSQL's planner see the new row counts (without this
    it may scan the key table instead of using its index)."""
    if session.get_bind().dialect.name == "postgresql":
        session.flush()
        session.execute(
            text("ANALYZE businesses, business_gstins, business_keys, name_vocabulary, name_token_stats")
        )
