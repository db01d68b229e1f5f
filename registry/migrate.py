"""Run the Alembic migrations from code (CLI `init-db`, tests), and tell whether a
database is at the revision this release's code expects (`/readyz`, the CLI)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str | None = None, connection: Connection | None = None) -> None:
    command.upgrade(alembic_config(url, connection), "head")


@cache
def expected_heads() -> frozenset[str]:
    """The revisions this release's code expects (read from the migration scripts once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_heads(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (none for a database never migrated)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def not_at_head(connection: Connection) -> str | None:
    """Why this release's code must not work on the database, or None when it is at the
    revision the code expects: a release installed before its migrations ran (or a
    database a newer release migrated) would read and write tables that are not as the
    code knows them."""
    current, expected = current_heads(connection), expected_heads()
    if current == expected:
        return None
    return (
        f"the database is at revision {', '.join(sorted(current)) or 'none'}; this release "
        f"expects {', '.join(sorted(expected))}: run `registry init-db` first"
    )
