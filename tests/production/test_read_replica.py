"""Scaling reads out: with DATABASE_REPLICA_URL set, searches read the replica and
everything else (keys, identities, writes) the primary."""

from portal import create_app
from registry import directory, migrate
from registry.actors import SYSTEM
from registry.db import make_engine, make_sessionmaker
from registry.settings import Settings
from tests.conftest import Factory


def _database(database_server):
    url = database_server.new_url()
    migrate.upgrade(url)
    return url


def _dispose(client):
    state = client.application.extensions["registry"]
    state.engine.dispose()
    if state.read_sessions is not None:
        state.read_sessions.kw["bind"].dispose()


def test_searches_read_the_replica_and_everything_else_the_primary(database_server, tmp_path):
    primary, replica = _database(database_server), _database(database_server)
    engines = [make_engine(primary), make_engine(replica)]
    try:
        with make_sessionmaker(engines[0]).begin() as session:
            key = Factory(session).api_key(Factory(session).member_user())
            only_primary = directory.create(session, SYSTEM, "Vindhya Granites", city="Katni").id
        with make_sessionmaker(engines[1]).begin() as session:
            # What the replica holds that the primary does not stands for replication lag
            # seen from the other side: the test can then tell which database answered.
            directory.create(session, SYSTEM, "Sahyadri Fasteners", city="Pune")
        settings = Settings(
            instance_path=tmp_path,
            database_url=primary,
            database_replica_url=replica,
            secret_key="test-secret-key",
            mail_url=f"file://{tmp_path / 'outbox'}",
            stripe_webhook_secret="whsec_test_secret",
            ratelimit_enabled=False,
        )
        client = create_app({"REGISTRY_SETTINGS": settings, "TESTING": True}).test_client()
        auth = {"Authorization": f"Bearer {key}"}

        found = client.get("/api/v1/businesses/search?q=Sahyadri Fastners", headers=auth)
        assert found.status_code == 200  # the key itself was checked on the primary
        assert [r["name"] for r in found.get_json()["results"]] == ["Sahyadri Fasteners"]
        missing = client.get("/api/v1/businesses/search?q=Vindhya Granites", headers=auth)
        assert missing.get_json()["results"] == []
        identity = client.get(f"/api/v1/businesses/{only_primary}", headers=auth)
        assert identity.status_code == 200 and identity.get_json()["name"] == "Vindhya Granites"
        _dispose(client)
    finally:
        for engine in engines:
            engine.dispose()


def test_without_a_replica_searches_read_the_primary(database_server, tmp_path):
    primary = _database(database_server)
    engine = make_engine(primary)
    try:
        with make_sessionmaker(engine).begin() as session:
            key = Factory(session).api_key(Factory(session).member_user())
            directory.create(session, SYSTEM, "Vindhya Granites", city="Katni")
        settings = Settings(
            instance_path=tmp_path,
            database_url=primary,
            secret_key="test-secret-key",
            mail_url=f"file://{tmp_path / 'outbox'}",
            stripe_webhook_secret="whsec_test_secret",
            ratelimit_enabled=False,
        )
        client = create_app({"REGISTRY_SETTINGS": settings, "TESTING": True}).test_client()
        found = client.get(
            "/api/v1/businesses/search?q=Vindhya Granites",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert [r["name"] for r in found.get_json()["results"]] == ["Vindhya Granites"]
        _dispose(client)
    finally:
        engine.dispose()
