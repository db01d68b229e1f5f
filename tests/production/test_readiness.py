"""`/readyz`: ready only when the database answers and its schema is at head."""

import time

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from registry import migrate
from registry.db import make_engine
from tests.conftest import build_app
from tests.production.conftest import real_app


def test_ready_when_migrated_to_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["revision"]


def test_healthz_is_unchanged(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_not_ready_on_an_empty_database(database_server, tmp_path, dispose_later):
    app = dispose_later(real_app(database_server.new_url(), tmp_path))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"] == "database schema is not at the migrations' head"
    assert response.json["database_revision"] == []
    assert app.test_client().get("/healthz").status_code == 200


def test_not_ready_one_migration_behind(database_server, tmp_path, dispose_later):
    url = database_server.migrated_url()
    command.downgrade(migrate.alembic_config(url), "-1")
    app = dispose_later(real_app(url, tmp_path))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["database_revision"]
    assert response.json["database_revision"] != response.json["expected_revision"]
    migrate.upgrade(url)
    assert app.test_client().get("/readyz").status_code == 200


def test_not_ready_when_the_database_is_unreachable(settings):
    dead = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    app = build_app(settings, lambda: Session(bind=dead))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "database unreachable"}
    dead.dispose()


def test_readyz_reads_the_alembic_table(db):
    assert db.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_ready_says_when_this_workers_index_copy_is_loaded(
    database_server, tmp_path, dispose_later
):
    url = database_server.migrated_url()
    app = dispose_later(real_app(url, tmp_path))
    copies = app.extensions["registry"].index_copies
    first = app.test_client().get("/readyz")
    assert first.status_code == 200 and first.json["index_copy"] in {"loading", "ready"}
    copies.wait(60)
    assert app.test_client().get("/readyz").json["index_copy"] == "ready"


def test_health_checks_answer_while_a_long_write_holds_the_lock(
    database_server, tmp_path, dispose_later
):
    """A bulk import on SQLite is one transaction holding the write lock for its whole
    run: the health checks, which only read, still answer (a check waiting 30 s would
    take the instance out of service)."""
    url = database_server.new_url()
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's one writer at a time")
    migrate.upgrade(url)
    app = dispose_later(real_app(url, tmp_path))
    importing = make_engine(url)
    with importing.begin() as connection:
        connection.execute(text("DELETE FROM idempotent_requests"))  # holds the write lock
        started = time.monotonic()
        assert app.test_client().get("/healthz").status_code == 200
        assert app.test_client().get("/readyz").status_code == 200
        assert time.monotonic() - started < 5
    importing.dispose()
