"""API keys: scopes, expiry, last use; a key beyond its scope sees 404."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry import language
from registry.actors import SYSTEM
from registry.errors import ValidationFailed
from registry.members import api_keys
from registry.models import ApiKey, AuditEntry, utcnow


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


# One route per scope, each answering 200 (or a 4xx other than 404/401) to a key that
# carries the scope.
ROUTES = {
    "search": ("GET", "/api/v1/businesses/search?q=lakshmi"),
    "file": ("GET", "/api/v1/complaints"),
    "reports": ("GET", "/api/v1/reports/orders/999999"),
    "watch": ("GET", "/api/v1/watches"),
}


@pytest.mark.parametrize("scope", sorted(ROUTES))
def test_a_key_answers_only_within_its_scopes(client, db, factory, scope):
    user = factory.member_user()
    _key, only = api_keys.create(db, user, "one scope", SYSTEM, scopes=[scope])
    for route_scope, (method, path) in ROUTES.items():
        status = client.open(path, method=method, headers=bearer(only)).status_code
        if route_scope == scope:
            assert status != 404 or route_scope == "reports", path
            assert status != 401
        else:
            assert status == 404, (scope, path)
            body = client.open(path, method=method, headers=bearer(only)).get_json()
            assert body["error"]["code"] == "not_found"


def test_a_reports_key_reaches_the_route_and_a_search_key_does_not(client, db, factory):
    user = factory.member_user()
    reports = api_keys.create(db, user, "r", SYSTEM, scopes=["reports"])[1]
    search = api_keys.create(db, user, "s", SYSTEM, scopes=["search"])[1]
    own = client.get("/api/v1/reports/orders/999999", headers=bearer(reports)).get_json()
    other = client.get("/api/v1/reports/orders/999999", headers=bearer(search)).get_json()
    assert own["error"]["message"] != other["error"]["message"]
    assert other["error"]["message"] == "Not found."


def test_an_admin_route_needs_the_admin_scope(client, db, factory):
    admin = factory.admin()
    full = factory.api_key(admin)
    searching = api_keys.create(db, admin, "search only", SYSTEM, scopes=["search"])[1]
    assert client.get("/api/v1/admin/duplicates", headers=bearer(full)).status_code == 200
    assert client.get("/api/v1/admin/duplicates", headers=bearer(searching)).status_code == 404


def test_default_keys_carry_every_scope_the_role_allows(db, factory):
    member_key, _ = api_keys.create(db, factory.member_user(), "cli", SYSTEM)
    admin_key, _ = api_keys.create(db, factory.admin(), "cli", SYSTEM)
    assert member_key.scope_set == {"search", "file", "reports", "watch"}
    assert admin_key.scope_set == {"search", "file", "reports", "watch", "admin"}


@pytest.mark.parametrize(
    ("scopes", "expires", "field"),
    [
        (["admin"], None, "scopes"),
        (["nonsense"], None, "scopes"),
        ([], None, "scopes"),
        (None, timedelta(days=-1), "expires_at"),
    ],
)
def test_bad_scopes_or_expiry_are_refused(db, factory, scopes, expires, field):
    with pytest.raises(ValidationFailed) as caught:
        api_keys.create(
            db,
            factory.member_user(),
            "k",
            SYSTEM,
            scopes=scopes,
            expires_at=utcnow() + expires if expires else None,
        )
    assert field in caught.value.fields


def test_an_expired_key_is_refused(client, db, factory):
    key, secret = api_keys.create(
        db, factory.member_user(), "k", SYSTEM, expires_at=utcnow() + timedelta(hours=1)
    )
    assert client.get("/api/v1/watches", headers=bearer(secret)).status_code == 200
    key.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    response = client.get("/api/v1/watches", headers=bearer(secret))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_last_used_moves_at_most_once_a_minute(client, db, factory):
    key, secret = api_keys.create(db, factory.member_user(), "k", SYSTEM)
    assert key.last_used_at is None
    client.get("/api/v1/watches", headers=bearer(secret))
    db.expire_all()
    first = db.get(ApiKey, key.id).last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=30)
    client.get("/api/v1/watches", headers=bearer(secret))
    db.expire_all()
    assert db.get(ApiKey, key.id).last_used_at == first
    db.get(ApiKey, key.id).last_used_at = first - timedelta(minutes=2)
    db.flush()
    client.get("/api/v1/watches", headers=bearer(secret))
    db.expire_all()
    assert db.get(ApiKey, key.id).last_used_at > first - timedelta(minutes=1)


def test_the_portal_shows_scopes_expiry_and_last_use_and_revokes(client, auth, db, factory):
    user = factory.member_user()
    auth.login(user.email)
    page = client.post(
        "/account/api-keys",
        data={"name": "Tally sync", "scopes": ["search", "watch"], "expires_in_days": "30"},
    ).get_data(as_text=True)
    key = db.scalar(select(ApiKey).where(ApiKey.user_id == user.id))
    assert key.scope_set == {"search", "watch"}
    assert timedelta(days=29) < key.expires_at - utcnow() <= timedelta(days=30)
    assert "search watch" in page and language.day(key.expires_at) in page
    assert "never" in page  # not used yet
    refused = client.post("/account/api-keys", data={"name": "x", "scopes": ["admin"]})
    assert refused.status_code == 422
    client.post(f"/account/api-keys/{key.id}/revoke")
    db.refresh(key)
    assert key.revoked_at is not None
    notes = db.scalars(select(AuditEntry.note).where(AuditEntry.entity_type == "api_key")).all()
    assert any("search watch" in (n or "") for n in notes)
