"""The database goes away and comes back: clean 503s meanwhile, and the same app (same
pool, no restart) serves again once it is back (pool_pre_ping replaces dead connections)."""

from registry.actors import SYSTEM
from registry.identifiers import gstin_for
from registry.members import accounts
from tests.conftest import PASSWORD
from tests.production.conftest import database_name, real_app


def _member_with_key(app):
    from registry.members import api_keys

    with app.extensions["registry"].sessions() as session:
        user = accounts.create_active(
            session,
            accounts.Application(
                business_name="Outage Traders",
                gstin=gstin_for("27", "AABCO1234D"),
                email="ops@outage.example",
                password=PASSWORD,
            ),
            SYSTEM,
        )
        key = api_keys.create(session, user, "ops", SYSTEM)[1]
        session.commit()
        return user.email, key


def _answers(client, key):
    return {
        "health": client.get("/healthz"),
        "ready": client.get("/readyz"),
        "api": client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {key}"}),
        "page": client.get("/complaints"),
    }


def test_database_outage_gives_503s_then_recovers_without_restart(
    database_server, pg_admin, tmp_path, dispose_later
):
    url = database_server.migrated_url()
    name = database_name(url)
    app = dispose_later(real_app(url, tmp_path))
    email, key = _member_with_key(app)
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    assert {k: r.status_code for k, r in _answers(client, key).items()} == dict.fromkeys(
        ["health", "ready", "api", "page"], 200
    )

    try:
        pg_admin.run(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        pg_admin.run(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = :name",
            name=name,
        )
        down = _answers(client, key)
        assert {k: r.status_code for k, r in down.items()} == dict.fromkeys(down, 503)
        assert down["health"].json["status"] == "unavailable"
        assert down["api"].json["error"]["code"] == "unavailable"
        page = down["page"].get_data(as_text=True)
        assert "Briefly unavailable" in page and "Traceback" not in page
    finally:
        pg_admin.run(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    back = _answers(client, key)
    assert {k: r.status_code for k, r in back.items()} == dict.fromkeys(back, 200)
    assert back["api"].json == [] or "complaints" in back["api"].get_data(as_text=True)
