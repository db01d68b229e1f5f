"""Engines and sessions. Services receive a `Session`, flush, and never commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, Text, any_, bindparam, cast, create_engine, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

#: An execution option: on SQLite, this connection's transactions begin deferred (they
#: take the write lock only when they first write) rather than taking it as they begin.
DEFERRED_BEGIN = "registry_deferred_begin"
#: The execution options of a connection that only reads: a long read (loading the index
#: copy, the worker's sweep of orphan files) holds no writer back.
READS_ONLY: dict[str, Any] = {DEFERRED_BEGIN: True}


def make_engine(
    url: str, *, foreign_keys: bool = True, hide_parameters: bool = False, **kwargs: Any
) -> Engine:
    """An engine with SQLite made to behave (foreign keys on, one writer at a time, each
    waiting its turn instead of failing).
    `hide_parameters` keeps statement parameters (passwords, tokens, people's details)
    out of error messages and so out of logged tracebacks: on in production.
    `foreign_keys=False` is for the migrations only: SQLite changes a table by building a
    new one and dropping the old, which its foreign keys would refuse (they check the
    result with `PRAGMA foreign_key_check` instead)."""
    if hide_parameters:
        kwargs["hide_parameters"] = True
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy issue BEGIN itself, so savepoints and rollbacks really work
            # (pysqlite's own transaction handling does not support them).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A deferred transaction that has read cannot start writing once another
            # connection has committed since: SQLite refuses at once ("database is
            # locked"), without the busy timeout's wait. So a transaction takes the write
            # lock as it begins (others wait their turn), unless it only reads.
            deferred = connection.get_execution_options().get(DEFERRED_BEGIN, False)
            connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def among(column: Any, name: str, dialect: str) -> Any:
    """`column IN :name`, the list (of strings or of integers) given at execution. On
    PostgreSQL it is `= ANY(:name)`: one array parameter whatever the count, so the server
    keeps one plan and a statement built once (per database kind) serves every call. The
    array travels as its text, which the statement casts to the column's array type."""
    if dialect == "postgresql":
        return column == any_(cast(bindparam(name, type_=ArrayText()), ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def array_text(values: Iterable[str] | Iterable[int]) -> str:
    """PostgreSQL's text form of a one-dimensional array of strings, or of integers:
    `{"a","b"}`, `{1,2}`. (psycopg adapts a list element by element in Python, quoting
    each string after a regular-expression check; a search sends several hundred.)"""
    items: list[Any] = list(values)
    if all(type(item) is int for item in items):
        return "{" + ",".join(map(str, items)) + "}"
    joined = "".join(items)  # strings only: anything else is refused here
    if '"' in joined or "\\" in joined:
        items = [item.replace("\\", "\\\\").replace('"', '\\"') for item in items]
    return '{"' + '","'.join(items) + '"}'


class ArrayText(TypeDecorator[Any]):
    """A list parameter bound as `array_text` (for a statement that casts it)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else array_text(value)
