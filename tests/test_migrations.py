"""The migrations are the schema: they must build exactly what the models describe."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from registry import migrate
from registry.models import Base


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations differ: {differences}"


def test_migrations_go_down_and_up_again(database_server):
    url = database_server.new_url()
    migrate.upgrade(url)
    config = migrate.alembic_config(url)
    command.downgrade(config, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    command.upgrade(config, "head")
    engine = create_engine(url)
    assert {"complaints", "invoices", "audit_log", "outbox"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
