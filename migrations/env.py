"""Alembic environment: migrates the connection it is handed (tests, `registry init-db`)
or the database named by the app's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from registry.db import make_engine
from registry.models import Base
from registry.settings import Settings

target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            _check_foreign_keys(connection)


def _check_foreign_keys(connection: Connection) -> None:
    """SQLite rebuilds a table to change it, with foreign keys off (its documented way):
    before the commit, every reference must still hold."""
    broken = connection.execute(text("PRAGMA foreign_key_check")).all()
    if broken:
        raise RuntimeError(f"the migration broke foreign keys: {broken[:10]}")


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = context.config.attributes.get("url") or Settings.from_env().database_url
    engine = make_engine(url, foreign_keys=False)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `registry init-db`")
run_online()
