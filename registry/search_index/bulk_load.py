"""Loading many rows at once: `COPY` on PostgreSQL (`fast_insert`, and `insert_encoded` for
rows a helper process wrote out already, `encode`), a registry's first
directory loaded with the key table's indexes and keys made once after it (`first_load`),
and the planner's statistics and visibility map brought up to date after a load
(`refresh_statistics`, `vacuum`). Used by `import-businesses` and `registry reindex`;
what the rows are is `name_index`'s business."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Engine,
    Table,
    literal,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from matching.keys import WHOLE_KEY
from registry.models import BusinessKey

KEYS: Table = BusinessKey.__table__  # type: ignore[assignment]
#: Rows the SQLite driver's executemany takes at a time.
SQLITE_BATCH = 20_000


def fast_insert(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Insert many rows: COPY on PostgreSQL (through a scratch table when rows may already
    exist), the driver's executemany on SQLite. Returns how many rows were offered."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":

        def write(copy: Any) -> int:
            count = 0
            for row in rows:
                copy.write_row(row)
                count += 1
            return count

        return _copy(session, table, columns, "", write, ignore_conflicts=ignore_conflicts)
    # SQLite: the driver's own executemany, without per-row SQL compilation.
    count = 0
    names = ", ".join(columns)
    raw_cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
    sql = f"{verb} INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(tuple(_sqlite_value(v) for v in row))
        if len(batch) >= SQLITE_BATCH:
            raw_cursor.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        raw_cursor.executemany(sql, batch)
        count += len(batch)
    raw_cursor.close()
    return count


@dataclass(frozen=True, slots=True)
class Encoded:
    """Rows written out as COPY reads them in CSV (`encode`), and how many there are."""

    data: bytes
    rows: int


def encode(rows: Sequence[Sequence[int | str | None]]) -> Encoded:
    """Rows (of ints, strings and None) as COPY's CSV format reads them, written by the
    csv module. A helper process computing millions of rows hands them over like this: one
    bytes object to pass back, where tuples were pickled, unpickled and then formatted one
    by one by the loading process, which every load waits for. None is an empty field
    without quotes, which COPY reads as NULL; so is an empty string, except in a column
    that cannot be NULL (`insert_encoded` tells COPY so)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return Encoded(out.getvalue().encode(), len(rows))


def copies(session: Session) -> bool:
    """Whether this database loads rows by COPY, so that `encode`d rows are worth making."""
    return session.get_bind().dialect.name == "postgresql"


def insert_encoded(
    session: Session,
    table: Table,
    columns: Sequence[str],
    parts: Iterable[Encoded],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """`fast_insert` for rows already `encode`d, on PostgreSQL (where `copies`): the parts
    go to COPY as they are. Returns how many rows were offered."""

    def write(copy: Any) -> int:
        count = 0
        for part in parts:
            copy.write(part.data)
            count += part.rows
        return count

    never_null = [name for name in columns if not table.c[name].nullable]
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(never_null)})" if never_null else "")
    return _copy(session, table, columns, f" ({options})", write, ignore_conflicts=ignore_conflicts)


def _copy(
    session: Session,
    table: Table,
    columns: Sequence[str],
    options: str,
    write: Callable[[Any], int],
    *,
    ignore_conflicts: bool,
) -> int:
    """COPY into `table` what `write` writes to the COPY; into a scratch table first when
    rows may already exist, then what is new. Returns what `write` returns."""
    raw: Any = session.connection().connection.driver_connection
    names = ", ".join(columns)
    target = table.name
    with raw.cursor() as cursor:
        if ignore_conflicts:
            target = f"scratch_{table.name}"
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {target} "
                f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            cursor.execute(f"TRUNCATE {target}")
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN{options}") as copy:
            count = write(copy)
        if ignore_conflicts:
            cursor.execute(  # names come from our own Table objects, never from input
                f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {target} "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )
    return count


def _sqlite_value(value: Any) -> Any:
    """Datetimes as SQLAlchemy stores them on SQLite (naive UTC text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


INDEX_TABLES = (
    "businesses",
    "business_gstins",
    "business_keys",
    "name_vocabulary",
    "name_token_stats",
    "normal_names",
)


def vacuum(engine: Engine) -> None:
    """After a bulk load has committed, on PostgreSQL: VACUUM ANALYZE the index tables, so
    a search's key look-ups are answered from the index alone (index-only scans need the
    visibility map that VACUUM sets; autovacuum would get there too, a while later)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(INDEX_TABLES)}")


#: During a first load the key table's primary key is made once, after the load, like its
#: other indexes; meanwhile this index of the whole-name keys alone (one a name, not the
#: nine or so every name has) serves the load's look-ups of names it made already.
LOADING_INDEX = "ix_business_keys_whole_names_loading"
#: The condition of that index, which a look-up must state for PostgreSQL to use it.
_WHOLE_NAMES = f"starts_with(key, '{WHOLE_KEY}')"


def whole_name_keys(session: Session) -> ColumnElement[bool]:
    """Where a look-up of whole-name keys (`matching.keys.whole_key`) says that it wants
    only those: true of every row it could find anyway, and on PostgreSQL what lets it use
    a first load's index of them (`first_load`)."""
    if session.get_bind().dialect.name != "postgresql":
        return true()
    # the index's own condition, word for word: PostgreSQL matches a partial index by it
    return literal_column(_WHOLE_NAMES, Boolean)


@contextmanager
def first_load(session: Session, *also: Table) -> Iterator[bool]:
    """Around a bulk load (`import-businesses`): when the key table is empty on
    PostgreSQL (a registry's first directory), its primary key, its secondary indexes and
    its foreign key are dropped before the load and made again once after it, in the same
    transaction, instead of being kept row by row as millions of keys arrive (each key's
    check of its business is one look-up; made again, the key is checked for the whole
    table in one join). Meanwhile an index of the whole-name keys only (`LOADING_INDEX`,
    dropped after) serves the load's look-ups of the names it made, which state
    `whole_name_keys`. The same for each table in `also` that is empty too (an import's
    GSTINs), its unique and primary keys kept: the load looks rows up by them. An empty
    table has nothing anyone could be searching, and a failed load rolls the drop back
    with the rest. Yields whether it did so for the key table (elsewhere, and on SQLite,
    the load runs as it is)."""
    if (
        session.get_bind().dialect.name != "postgresql"
        or session.execute(select(KEYS.c.key).limit(1)).first() is not None
    ):
        yield False
        return
    made_again = _defer_indexes(session, KEYS, primary_key=True)
    for table in also:
        if session.execute(select(literal(1)).select_from(table).limit(1)).first() is None:
            made_again += _defer_indexes(session, table)
    # the name and condition are ours, not input
    session.execute(text(f"CREATE INDEX {LOADING_INDEX} ON {KEYS.name} (key) WHERE {_WHOLE_NAMES}"))
    made_again.append(f"DROP INDEX {LOADING_INDEX}")
    try:
        yield True
    except DBAPIError:
        raise  # the transaction failed: it rolls back, and the drop with it
    except BaseException:
        _build(session, made_again)  # a caller may still commit what it holds
        raise
    _build(session, made_again)


def _defer_indexes(session: Session, table: Table, *, primary_key: bool = False) -> list[str]:
    """Drop `table`'s foreign keys and the indexes no constraint owns, and its primary key
    when asked; returns the statements that make them again, as they were: the primary
    key, the indexes, then the foreign keys."""
    named = {"table": table.name}
    secondary = session.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table "
            "AND schemaname = current_schema() AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = CAST(:table AS regclass))"
        ),
        named,
    ).all()

    def constraints(kind: str) -> list[tuple[str, str]]:
        return [
            (name, definition)
            for name, definition in session.execute(
                text(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = CAST(:table AS regclass) AND contype = :kind "
                    "ORDER BY conname"
                ),
                {**named, "kind": kind},
            )
        ]

    primary = constraints("p") if primary_key else []
    foreign = constraints("f")
    # names and definitions come from the catalogue, not input
    for name, _ in foreign + primary:
        session.execute(text(f'ALTER TABLE {table.name} DROP CONSTRAINT "{name}"'))
    for name, _ in secondary:
        session.execute(text(f'DROP INDEX "{name}"'))

    def add(name: str, definition: str) -> str:
        return f'ALTER TABLE {table.name} ADD CONSTRAINT "{name}" {definition}'

    return [add(*c) for c in primary] + [d for _, d in secondary] + [add(*c) for c in foreign]


def _build(session: Session, statements: Sequence[str]) -> None:
    session.flush()
    for statement in statements:
        session.execute(text(statement))


def refresh_statistics(session: Session) -> None:
    """After a bulk load, let PostgreSQL's planner see the new row counts (without this
    it may scan the key table instead of using its index)."""
    if session.get_bind().dialect.name == "postgresql":
        session.flush()
        session.execute(text(f"ANALYZE {', '.join(INDEX_TABLES)}"))
