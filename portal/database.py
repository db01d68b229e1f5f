"""One database session per request, committed once when the request succeeded.

Responses with a status of 400 or more roll back: a form shown again with its errors
(422) or an API error never leaves half a change behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from registry.db import make_engine, make_sessionmaker
from registry.settings import Settings


@dataclass
class RegistryState:
    settings: Settings
    engine: Engine | None
    sessions: sessionmaker[Session] | Any


def init_app(app: Flask, settings: Settings, session_factory: Any = None) -> None:
    engine = None
    if session_factory is None:
        engine = make_engine(settings.database_url)
        session_factory = make_sessionmaker(engine)
    app.extensions["registry"] = RegistryState(settings, engine, session_factory)
    app.after_request(_finish)
    app.teardown_appcontext(_close)


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
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
