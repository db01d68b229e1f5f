"""The documented backup (docs/operations.md) really restores: pg_dump a migrated
database with data, pg_restore it into a fresh one, and the app serves from it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import make_url

from registry.actors import Actor
from registry.complaints import filing
from registry.db import make_engine, make_sessionmaker
from registry.members import api_keys
from registry.settings import Settings
from tests.conftest import Factory, filing_request
from tests.production.conftest import real_app


def libpq_args(url: str) -> list[str]:
    parts = make_url(url)
    return [
        f"--host={parts.host or '127.0.0.1'}",
        f"--port={parts.port or 5432}",
        f"--username={parts.username or 'postgres'}",
        f"--dbname={parts.database}",
    ]


def test_a_dump_restores_into_a_working_registry(postgres_only, tmp_path, dispose_later):
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not (pg_dump and pg_restore):
        pytest.skip("pg_dump/pg_restore are not installed")
    source = postgres_only.migrated_url()
    engine = make_engine(source)
    settings = Settings(instance_path=tmp_path, database_url=source, secret_key="k")
    with make_sessionmaker(engine)() as session:
        user = Factory(session).member_user(name="Backed Up Exports")
        filed = filing.file_complaint(session, settings, Actor.of(user), filing_request())
        key = api_keys.create(session, user, "erp", Actor.of(user))[1]
        complaint_id = filed.complaint.id
        session.commit()
    engine.dispose()

    dump = tmp_path / "registry.dump"
    subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [pg_dump, "--format=custom", "--no-owner", f"--file={dump}", *libpq_args(source)],
        check=True,
        timeout=60,
    )
    target = postgres_only.new_url()
    subprocess.run(  # noqa: S603
        [pg_restore, "--no-owner", "--exit-on-error", *libpq_args(target), str(dump)],
        check=True,
        timeout=60,
    )

    app = dispose_later(real_app(target, tmp_path))
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    response = client.get(
        f"/api/v1/complaints/{complaint_id}", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200
    assert response.json["invoices"][0]["number"] == "LP/2026/101"
