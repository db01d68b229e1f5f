"""Scaling reads out: with DATABASE_REPLICA_URL set, searches read the replica and
everything else (keys, identities, writes) the primary."""

from contextlib import contextmanager

from registry.actors import SYSTEM
from registry.db import make_engine, make_sessionmaker
from registry.directory import businesses
from tests.conftest import Factory
from tests.production.conftest import real_app


@contextmanager
def _database(database_server):
    """A fresh migrated database, and a transaction on it to fill it with."""
    url = database_server.migrated_url()
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            yield url, session
    finally:
        engine.dispose()


def _names(response):
    assert response.status_code == 200, response.get_json()
    return [r["name"] for r in response.get_json()["results"]]


def test_searches_read_the_replica_and_everything_else_the_primary(
    database_server, tmp_path, dispose_later
):
    with _database(database_server) as (primary, session):
        key = Factory(session).api_key(Factory(session).member_user())
        only_primary = businesses.create(session, SYSTEM, "Vindhya Granites", city="Katni").id
    with _database(database_server) as (replica, session):
        # What the replica holds that the primary does not stands for replication lag
        # seen from the other side: the test can then tell which database answered.
        businesses.create(session, SYSTEM, "Sahyadri Fasteners", city="Pune")
    client = dispose_later(real_app(primary, tmp_path, replica_url=replica)).test_client()
    auth = {"Authorization": f"Bearer {key}"}  # checked on the primary

    assert _names(client.get("/api/v1/businesses/search?q=Sahyadri Fastners", headers=auth)) == [
        "Sahyadri Fasteners"
    ]
    assert _names(client.get("/api/v1/businesses/search?q=Vindhya Granites", headers=auth)) == []
    identity = client.get(f"/api/v1/businesses/{only_primary}", headers=auth)
    assert identity.status_code == 200 and identity.get_json()["name"] == "Vindhya Granites"


def test_without_a_replica_searches_read_the_primary(database_server, tmp_path, dispose_later):
    with _database(database_server) as (primary, session):
        key = Factory(session).api_key(Factory(session).member_user())
        businesses.create(session, SYSTEM, "Vindhya Granites", city="Katni")
    client = dispose_later(real_app(primary, tmp_path)).test_client()
    found = client.get(
        "/api/v1/businesses/search?q=Vindhya Granites", headers={"Authorization": f"Bearer {key}"}
    )
    assert _names(found) == ["Vindhya Granites"]
