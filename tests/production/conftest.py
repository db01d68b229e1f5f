"""Apps on their own real databases (not the suite's rolled-back connection), for tests
that need what production has: separate connections, a pool, a database that goes away."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from portal import create_app
from registry.settings import Settings


def real_app(url: str, tmp_path: Path, replica_url: str | None = None, **config: Any) -> Flask:
    """An app with its own engine and pool on `url`, as `make serve` would build it."""
    settings = Settings(
        instance_path=tmp_path,
        database_url=url,
        database_replica_url=replica_url,
        secret_key="test-secret-key",
        mail_url=f"file://{tmp_path / 'outbox'}",
        stripe_webhook_secret="whsec_test_secret",
        ratelimit_enabled=False,
    )
    app = create_app(
        {"REGISTRY_SETTINGS": settings, "TESTING": True, "WTF_CSRF_ENABLED": False, **config}
    )
    return app


@pytest.fixture
def dispose_later() -> Iterator[Callable[[Flask], Flask]]:
    apps: list[Flask] = []
    yield lambda app: apps.append(app) or app  # type: ignore[func-returns-value]
    for app in apps:
        state = app.extensions["registry"]
        if state.engine is not None:
            state.engine.dispose()
        if state.read_sessions is not None:
            state.read_sessions.kw["bind"].dispose()


@pytest.fixture
def postgres_only(database_server: Any) -> Any:
    if not database_server.is_postgres:
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgresql+psycopg://...")
    return database_server


class PostgresAdmin:
    """Superuser statements against the server the suite's DATABASE_URL names."""

    def __init__(self, base_url: str) -> None:
        self.engine = create_engine(base_url, isolation_level="AUTOCOMMIT")

    def run(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            result = conn.execute(text(sql), params)
            return result.fetchall() if result.returns_rows else None

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def pg_admin(postgres_only: Any) -> Iterator[PostgresAdmin]:
    admin = PostgresAdmin(postgres_only.base_url)
    yield admin
    admin.close()


def database_name(url: str) -> str:
    name = make_url(url).database
    assert name
    return name
