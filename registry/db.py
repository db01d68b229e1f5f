"""Engines and sessions. Services receive a `Session`, flush, and never commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Text, any_, bindparam, cast, create_engine, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Select
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


@dataclass(frozen=True, slots=True)
class _DriverSql:
    """A statement as one database kind runs it (`DriverStatement`)."""

    sql: str
    #: the bind values the statement itself fixes, as the driver takes them
    constants: dict[str, Any]
    #: the caller's parameters, each with its type's bind processor (or None)
    binds: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    #: the columns whose values a result processor turns into Python's (index, processor)
    results: tuple[tuple[int, Callable[[Any], Any]], ...]
    #: for a driver taking its parameters by position (SQLite's), their names in order
    order: tuple[str, ...] | None


#: What a `DriverStatement` with `generic_plan` sends first on PostgreSQL: until the
#: transaction ends, prepared statements run their generic plan (planned once per
#: connection) instead of one planned for each call's values.
GENERIC_PLAN = "SET LOCAL plan_cache_mode = force_generic_plan"


class DriverStatement:
    """A select every request makes (an API key's, a search's shown businesses), run on
    the connection's driver cursor with its SQL compiled once per database kind.

    Through `Connection.execute`, each call paid SQLAlchemy's setup of an execution
    context and of a result (psycopg describing every column for it) besides the
    statement: on PostgreSQL, 0.43 ms of CPU a call for the shown businesses' statement
    against 0.23 here (4,000 calls each). The statement still goes through the
    connection's cursor hooks (`before_cursor_execute` and its other events, echo, a
    driver's error wrapped as SQLAlchemy's and a lost connection invalidated), in the
    session's transaction; its columns are read with their types' result processors.

    `parameters` names what the caller gives each time. A database kind that would
    expand one of them into a list (SQLite's `IN`, whose SQL then depends on the count)
    runs the statement through `Connection.execute` instead. Rows are tuples either way.

    `generic_plan`: on PostgreSQL, the statement is run in a transaction that uses the
    generic plan of a prepared statement (`SET LOCAL plan_cache_mode`, sent first), for a
    statement whose plan does not depend on its values but whose custom plans PostgreSQL
    keeps preferring: the search's shown businesses, ids in an array, took 0.5 ms to plan
    at every search and 0.3 to run.
    """

    def __init__(
        self, statement: Select[Any], parameters: Iterable[str], generic_plan: bool = False
    ) -> None:
        self.statement = statement
        self.parameters = tuple(parameters)
        self.generic_plan = generic_plan
        self._by_dialect: dict[tuple[str, Any], _DriverSql | None] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The statement's rows for these parameters (exactly the ones it was made with)."""
        dialect = connection.dialect
        kind = (dialect.name, dialect.server_version_info)
        if kind in self._by_dialect:
            compiled = self._by_dialect[kind]
        else:
            compiled = self._by_dialect[kind] = self._compile(dialect, params)
        if compiled is None:
            return [tuple(row) for row in connection.execute(self.statement, dict(params))]
        values = dict(compiled.constants)
        for name, process in compiled.binds:
            value = params[name]
            values[name] = value if process is None else process(value)
        given: dict[str, Any] | tuple[Any, ...] = values
        if compiled.order is not None:
            given = tuple(values[name] for name in compiled.order)
        cursor = connection.connection.cursor()
        try:
            # SQLAlchemy's own path for a statement on a cursor it was handed (column
            # defaults, sequences): the events, echo and error handling of `execute`
            if self.generic_plan and dialect.name == "postgresql":
                connection._cursor_execute(cursor, GENERIC_PLAN, ())
            connection._cursor_execute(cursor, compiled.sql, given)
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        if not compiled.results:
            return [tuple(row) for row in fetched]
        rows = []
        for row in fetched:
            read = list(row)
            for at, process in compiled.results:
                read[at] = process(read[at])
            rows.append(tuple(read))
        return rows

    def _compile(self, dialect: Dialect, params: Mapping[str, Any]) -> _DriverSql | None:
        if set(params) != set(self.parameters):
            raise ValueError(f"give exactly {sorted(self.parameters)}, not {sorted(params)}")
        compiled = self.statement.compile(dialect=dialect)
        expanded = compiled.construct_expanded_state(dict(params))
        if any(name in expanded.parameter_expansion for name in self.parameters):
            return None
        missing = [name for name in self.parameters if name not in expanded.parameters]
        if missing:
            raise ValueError(f"the statement does not take {missing}")
        # the expanded state holds the processors of the parameters it expanded; the
        # others are their bind parameters' types'
        processors: dict[str, Callable[[Any], Any] | None] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        processors.update(expanded.processors)
        constants = {}
        for name, value in expanded.parameters.items():
            if name not in self.parameters:
                process = processors.get(name)
                constants[name] = value if process is None else process(value)
        binds = tuple((name, processors.get(name)) for name in self.parameters)
        results = []
        for at, column in enumerate(self.statement.selected_columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                results.append((at, process))
        order = None if expanded.positiontup is None else tuple(expanded.positiontup)
        return _DriverSql(expanded.statement, constants, binds, tuple(results), order)
