"""One database session per request, committed once when the request succeeded.

Responses with a status of 400 or more roll back: a form shown again with its errors
(422) or an API error never leaves half a change behind.

Searches read through `read_db()`: a session on the read replica when
`DATABASE_REPLICA_URL` is set (never written to; a result may lag the primary by the
replication delay), else the request's own session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from registry.db import make_engine, make_sessionmaker
from registry.search_index.process_index import IndexCopies
from registry.settings import Settings


@dataclass
class RegistryState:
    settings: Settings
    engine: Engine | None
    sessions: sessionmaker[Session] | Any
    read_sessions: sessionmaker[Session] | None = None
    #: This process's copy of the name index, when `search_index_copy` is on.
    index_copies: IndexCopies | None = None
    #: Where searches read (the replica's engine, or `engine`).
    read_engine: Engine | None = None


def init_app(app: Flask, settings: Settings, session_factory: Any = None) -> None:
    engine = None
    if session_factory is None:
        engine = make_engine(settings.database_url, hide_parameters=settings.production)
        session_factory = make_sessionmaker(engine)
    read_sessions = None
    read_engine = engine
    if settings.database_replica_url:
        read_engine = make_engine(
            settings.database_replica_url, hide_parameters=settings.production
        )
        read_sessions = make_sessionmaker(read_engine)
    # A session factory given from outside (the tests') may hold one connection for all:
    # the copy is then loaded at once on it, when first wanted, not by a thread of its own.
    copies = (
        IndexCopies(background=engine is not None, directory=settings.search_index_dir)
        if settings.search_index_copy
        else None
    )
    app.extensions["registry"] = RegistryState(
        settings, engine, session_factory, read_sessions, copies, read_engine
    )
    app.after_request(_finish)
    app.teardown_appcontext(_close)


def start_index_copy(app: Flask) -> None:
    """Start loading this process's copy of the name index in a thread (each web worker
    does as it starts; searches read the tables until it is loaded)."""
    registry_state: RegistryState = app.extensions["registry"]
    copies, engine = registry_state.index_copies, registry_state.read_engine
    if copies is not None and copies.background and engine is not None:
        copies.start(engine.connect)


def state() -> RegistryState:
    registry_state: RegistryState = current_app.extensions["registry"]
    return registry_state


def settings() -> Settings:
    return state().settings


def db() -> Session:
    """This request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = state().sessions()
    session: Session = g.db_session
    return session


def index_copies() -> IndexCopies | None:
    """This process's copy of the name index, for `registry.directory.search` (None: tables)."""
    return state().index_copies


def uses_primary_for_reads() -> bool:
    """Whether `read_db` is this request's `db` (no replica configured)."""
    return state().read_sessions is None


def read_db() -> Session:
    """A session for reads that may lag a moment behind the primary (searches)."""
    read_sessions = state().read_sessions
    if read_sessions is None:
        return db()
    if "read_session" not in g:
        g.read_session = read_sessions()
    session: Session = g.read_session
    return session


def _finish(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    if response.status_code < 400:
        session.commit()
    else:
        session.rollback()
    return response


def _close(_exc: BaseException | None) -> None:
    for name in ("db_session", "read_session"):
        session: Session | None = g.pop(name, None)
        if session is not None:
            session.close()
