"""The name index in the database: blocking keys per business (with its city), the
vocabulary of spelling variants, and word frequencies. Shared by every web worker and
the CLI; `matching.keys` decides what the rows are.

Every writer first takes the index's state row (`record_change`), so writers take turns.
A filing's keys and normal forms are inserted with "on conflict do nothing" (a bulk
load's keys by plain COPY: nobody else has its new businesses' ids), word frequencies are
incremented in place, and a word's vocabulary rows are written once, when the vocabulary
lacks the word (`add_vocabulary`): concurrent filings cannot trip over each other
(`tests/integrity/test_index_races.py`).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Table,
    any_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from matching.keys import (
    JOINED_SPELLING,
    indexed_tokens,
    name_keys,
    vocabulary_entries,
    vocabulary_keys,
)
from matching.normalise import VERSION, NormalName, canonical_city, normalise
from registry import audit
from registry.actors import Actor
from registry.models import (
    Business,
    BusinessAlias,
    BusinessKey,
    NameTokenStat,
    NameVocabulary,
    NormalNameRecord,
    SearchIndexChange,
    SearchIndexState,
)
from registry.search_index.bulk_load import (
    Encoded,
    copies,
    encode,
    fast_insert,
    first_load,
    insert_encoded,
    refresh_statistics,
)

Progress = Callable[[int, int], None]
#: The row of `name_token_stats` that counts indexed names (the N of the IDF weights).
TOTAL = "#names"
BATCH = 5000
PARALLEL_CHUNK = 20000
LOOKUP_CHUNK = 2000
#: Businesses `rebuild` reads and indexes at a time.
REBUILD_BATCH = 50_000
MAX_LENGTH = 64
NAME_LENGTH = 300

KEYS: Table = BusinessKey.__table__  # type: ignore[assignment]
VOCABULARY: Table = NameVocabulary.__table__  # type: ignore[assignment]
STATS: Table = NameTokenStat.__table__  # type: ignore[assignment]
NORMAL_NAMES: Table = NormalNameRecord.__table__  # type: ignore[assignment]
STATE: Table = SearchIndexState.__table__  # type: ignore[assignment]
CHANGES: Table = SearchIndexChange.__table__  # type: ignore[assignment]
#: A change listing more businesses than this is listed as "everything": a web worker's
#: copy of the index is then loaded afresh rather than patched business by business.
LISTED_CHANGES = 5000
#: How many generations of changes are kept for copies of the index to catch up with.
KEPT_CHANGES = 100_000


def _normalised(names: Iterable[str]) -> Iterator[tuple[str, NormalName]]:
    """The names that are not blank, each with its normal form."""
    for name in names:
        if name and name.strip():
            yield name, normalise(name)


def _count_tokens(tokens: Counter[str], normal: NormalName) -> None:
    """Count a name in the word frequencies (each of its words once, and the total)."""
    tokens.update(set(indexed_tokens(normal)))
    tokens[TOTAL] += 1


@dataclass
class Rows:
    """What some names add to the index, computed once (`matching` is pure Python)."""

    keys: list[tuple[str, int, str | None]] = field(default_factory=list)
    tokens: Counter[str] = field(default_factory=Counter)
    entries: set[tuple[str, str]] = field(default_factory=set)
    #: Each name as written -> its normalised form, encoded (see `NormalNameRecord`).
    normal: dict[str, str] = field(default_factory=dict)
    #: The key rows and the normal names' rows, written out for COPY by the process that
    #: computed them (`for_copy`): a load's keys are millions of rows.
    copied_keys: list[Encoded] = field(default_factory=list)
    copied_normal: list[Encoded] = field(default_factory=list)

    def add(self, business_id: int, names: Iterable[str], city: str | None) -> None:
        place = canonical_city(city)
        seen: set[str] = set()
        for name, normal in _normalised(names):
            seen |= name_keys(normal)
            _count_tokens(self.tokens, normal)
            self.entries |= vocabulary_entries(normal)
            if len(name) <= NAME_LENGTH:
                self.normal[name] = normal.encode()
        self.keys.extend((key, business_id, place) for key in sorted(seen) if len(key) <= 128)

    def merge(self, other: Rows) -> None:
        self.keys.extend(other.keys)
        self.tokens.update(other.tokens)
        self.entries |= other.entries
        self.normal.update(other.normal)
        self.copied_keys += other.copied_keys
        self.copied_normal += other.copied_normal

    def for_copy(self) -> Rows:
        """These rows with the keys and normal names written out for COPY, for a load on
        PostgreSQL. The keys sorted, as `BulkIndexer.write` sorts them otherwise, but by
        key alone: the sort is stable, so a key's rows stay in the order they were added
        (their businesses'), at half the cost of comparing whole rows."""
        self.keys.sort(key=itemgetter(0))
        self.copied_keys.append(encode(self.keys))
        self.copied_normal.append(encode(_normal_rows(self.normal)))
        self.keys, self.normal = [], {}
        return self


def one_of(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:values)`, one array parameter:
    a list of thousands of parameters cost the driver more to send than the database
    took to answer."""
    found: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        found = column == any_(array)
    else:
        found = column.in_(values)
    return found


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
                    update(STATS)
                    .where(STATS.c.token == token)
                    .values(doc_freq=STATS.c.doc_freq - n)
                )


def add_vocabulary(session: Session, entries: Iterable[tuple[str, str]]) -> int:
    """Store the spelling variants of (spelling, word) entries the vocabulary lacks; returns
    how many rows were written. An entry is known when its spelling is stored under its
    own variant: itself, or for a joined pair ("+mahalaxmi") the pair without the mark,
    whose single deletions are its variants. An entry's rows are written together and
    never removed one by one, so an entry not known has none stored, and its rows go in
    by plain COPY, without a scratch table or conflict handling (an import of a million
    businesses writes millions: in half the time). Nobody else can store the same entry
    meanwhile: every writer holds the index's state row from `record_change` on."""
    wanted = {(s, t) for s, t in entries if len(s) <= MAX_LENGTH and len(t) <= MAX_LENGTH}
    known: set[tuple[str, str]] = set()
    own = sorted({spelling.removeprefix(JOINED_SPELLING) for spelling, _ in wanted})
    for start in range(0, len(own), LOOKUP_CHUNK):
        chunk = own[start : start + LOOKUP_CHUNK]
        found = session.execute(
            select(VOCABULARY.c.spelling, VOCABULARY.c.token).where(
                one_of(session, VOCABULARY.c.variant, chunk),
                or_(
                    VOCABULARY.c.spelling == VOCABULARY.c.variant,
                    VOCABULARY.c.spelling == literal(JOINED_SPELLING) + VOCABULARY.c.variant,
                ),
            )
        )
        known.update((spelling, token) for spelling, token in found)
    rows = (
        (variant, spelling, token)
        for spelling, token in sorted(wanted - known)
        for variant in sorted(vocabulary_keys(spelling))
        if len(variant) <= MAX_LENGTH
    )
    return fast_insert(session, VOCABULARY, ("variant", "spelling", "token"), rows)


def record_change(session: Session, business_ids: Iterable[int] | None) -> int:
    """Raise the index's generation and list the businesses whose rows change with it
    (None: all of them). Every writer below calls it before touching a row: the state row
    stays locked until the transaction ends, so writers take their turns in one order and
    a reader that sees generation N has every change up to N. The generation gets a random
    stamp of its own (see `SearchIndexState.stamp`). Returns the generation."""
    ids = sorted(set(business_ids)) if business_ids is not None else []
    stamp = secrets.randbits(62) + 1
    raise_it = (
        update(STATE)
        .where(STATE.c.id == 1)
        .values(generation=STATE.c.generation + 1, stamp=stamp)
        .returning(STATE.c.generation)
    )
    generation = session.execute(raise_it).scalar_one_or_none()
    if generation is None:  # a database whose state row was never written
        generation = 1
        session.execute(STATE.insert().values(id=1, generation=1, kept_from=1, stamp=stamp))
    listed = [0] if business_ids is None or len(ids) > LISTED_CHANGES else ids
    insert_ignoring_duplicates(
        session,
        CHANGES,
        [{"generation": generation, "business_id": b, "stamp": stamp} for b in listed],
    )
    return int(generation)


def prune_changes(session: Session, keep: int = KEPT_CHANGES) -> int:
    """Forget the changes of all but the last `keep` generations (a copy of the index
    older than that is loaded afresh instead). Returns how many rows went."""
    state = session.execute(select(STATE.c.generation, STATE.c.kept_from)).first()
    if state is None or state.generation - keep <= state.kept_from:
        return 0
    kept_from = state.generation - keep
    gone = session.execute(delete(CHANGES).where(CHANGES.c.generation < kept_from))
    session.execute(update(STATE).where(STATE.c.id == 1).values(kept_from=kept_from))
    return int(cast(CursorResult[Any], gone).rowcount or 0)


def _normal_rows(normal: Mapping[str, str]) -> list[tuple[str, int, str]]:
    return [(name, VERSION, encoded) for name, encoded in sorted(normal.items())]


def _write(session: Session, rows: Rows, fresh: bool) -> None:
    """Store what `rows` add: a bulk load streams them (COPY on PostgreSQL, of the rows
    its helper processes wrote out already, `Rows.for_copy`); the few rows of one filing
    or alias go in as plain inserts that skip what is already there."""
    normal = _normal_rows(rows.normal)
    key_columns, normal_columns = ("key", "business_id", "city"), ("name", "version", "encoded")
    if fresh and rows.copied_keys:
        insert_encoded(session, KEYS, key_columns, rows.copied_keys)
        insert_encoded(
            session, NORMAL_NAMES, normal_columns, rows.copied_normal, ignore_conflicts=True
        )
    elif fresh:
        fast_insert(session, KEYS, key_columns, rows.keys)
        fast_insert(session, NORMAL_NAMES, normal_columns, normal, ignore_conflicts=True)
    else:
        insert_ignoring_duplicates(
            session, KEYS, [{"key": k, "business_id": b, "city": c} for k, b, c in rows.keys]
        )
        insert_ignoring_duplicates(
            session,
            NORMAL_NAMES,
            [{"name": n, "version": v, "encoded": e} for n, v, e in normal],
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
        record_change(session, [business_id])
        _write(session, rows, fresh=False)


def remove_business(session: Session, business_id: int, names: Iterable[str]) -> None:
    """Take a business's names out of the index (before a merge or a rename)."""
    record_change(session, [business_id])
    session.execute(delete(BusinessKey).where(BusinessKey.business_id == business_id))
    tokens: Counter[str] = Counter()
    for _, normal in _normalised(names):
        _count_tokens(tokens, normal)
    _increment(session, tokens, sign=-1)
    session.flush()


def _rows_for(chunk: Sequence[tuple[int, Sequence[str], str | None]], for_copy: bool) -> Rows:
    rows = Rows()
    for business_id, names, city in chunk:
        rows.add(business_id, names, city)
    return rows.for_copy() if for_copy else rows


Items = Sequence[tuple[int, Sequence[str], str | None]]


@dataclass
class Computing:
    """The index rows of some new businesses, being computed (`BulkIndexer.start`)."""

    business_ids: list[int]
    parts: list[AsyncResult[Rows] | Rows]


class BulkIndexer:
    """Computes the index rows of many new businesses on every core while its caller goes
    on (an import reads and matches its next chunk meanwhile); `write` stores them.
    Normalising the names is the costly part of a load, and the database is idle for it.
    `then` and `finish` run a load's batches as a pipeline: each batch computed while the
    caller prepares the next, and written when that one starts. `for_copy`: the worker
    processes write the rows out for COPY too (`Rows.for_copy`), on PostgreSQL."""

    def __init__(self, workers: int, for_copy: bool = False) -> None:
        self.workers = workers
        self.for_copy = for_copy
        self._pool: multiprocessing.pool.Pool | None = None
        self._pending: Computing | None = None

    def then(self, session: Session, items: Items) -> None:
        """Start computing `items`, then write the batch started before (waiting for it):
        the worker processes compute while the database stores what they computed last."""
        started = self.start(items)
        self.finish(session)
        self._pending = started

    def finish(self, session: Session) -> None:
        """Write the batch started last, if any."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.write(session, pending)

    def start(self, items: Items) -> Computing:
        chunks = [items[i : i + PARALLEL_CHUNK] for i in range(0, len(items), PARALLEL_CHUNK)]
        ids = [business_id for business_id, _, _ in items]
        if self.workers < 2 or (len(chunks) < 2 and self._pool is None):
            return Computing(ids, [_rows_for(chunk, self.for_copy) for chunk in chunks])
        if self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)
        return Computing(
            ids, [self._pool.apply_async(_rows_for, (chunk, self.for_copy)) for chunk in chunks]
        )

    def write(self, session: Session, computing: Computing) -> None:
        """Store what `start` computed (waiting for it): the rows `add_names` would write."""
        rows = Rows()
        for part in computing.parts:
            rows.merge(part if isinstance(part, Rows) else part.get())
        rows.keys.sort()
        record_change(session, computing.business_ids)
        _write(session, rows, fresh=True)


@contextmanager
def bulk_indexer(session: Session, workers: int | None = None) -> Iterator[BulkIndexer]:
    """A `BulkIndexer` for one load into `session`'s database; its worker processes
    (forked when a chunk is large enough to be worth them) end with it."""
    indexer = BulkIndexer(workers or os.cpu_count() or 1, for_copy=copies(session))
    try:
        yield indexer
    finally:
        if indexer._pool is not None:  # every result was taken, or the load failed
            indexer._pool.terminate()
            indexer._pool.join()


def rebuild(session: Session, actor: Actor, progress: Progress | None = None) -> int:
    """Index every business afresh (after an upgrade that changes how names are read):
    the same rows inserts, aliases and merges would have left. Returns how many.

    The directory is read `REBUILD_BATCH` businesses at a time (with their aliases), each
    batch's rows computed on every core while the batch before is written, so memory stays
    one batch's whatever the directory's size; on PostgreSQL the key table's primary key,
    indexes and foreign key are made again once at the end (`bulk_load.first_load`)."""
    record_change(session, None)
    for table in (KEYS, VOCABULARY, STATS, NORMAL_NAMES):
        session.execute(delete(table))
    live = Business.merged_into_id.is_(None)
    counted = select(func.count()).select_from(Business).where(live)
    total = (session.scalar(counted) or 0) if progress else 0  # counted for a progress bar
    done = 0
    with first_load(session), bulk_indexer(session) as indexer:
        for items in _live_names(session, REBUILD_BATCH):
            indexer.then(session, items)  # writes the batch before
            if progress and done:
                progress(done, total)
            done += len(items)
        indexer.finish(session)
    if progress:
        progress(done, total)
    audit.record(session, actor, "business", "index", "reindexed", note=f"{done} businesses")
    refresh_statistics(session)
    return done


def _live_names(session: Session, batch: int) -> Iterator[Items]:
    """The businesses not merged away, `batch` at a time in id order, each with its own
    name and then its aliases (in the order they were added) and its city."""
    last = 0
    while True:
        rows = session.execute(
            select(Business.id, Business.name, Business.city)
            .where(Business.merged_into_id.is_(None), Business.id > last)
            .order_by(Business.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        names: dict[int, list[str]] = {business_id: [name] for business_id, name, _ in rows}
        aliases = (
            select(BusinessAlias.business_id, BusinessAlias.name)
            .where(BusinessAlias.business_id.between(rows[0].id, rows[-1].id))
            .order_by(BusinessAlias.id)
        )
        for business_id, name in session.execute(aliases):
            if business_id in names:
                names[business_id].append(name)
        yield [(business_id, names[business_id], city) for business_id, _, city in rows]
        last = rows[-1].id


def older_version(session: Session) -> int | None:
    """A version of the name matcher, other than this release's, that some indexed names
    were read with: the index then needs `registry reindex` (searches work meanwhile, but
    names indexed the old way may be missed and are normalised again on every search)."""
    return session.scalar(
        select(NormalNameRecord.version).where(NormalNameRecord.version != VERSION).limit(1)
    )
