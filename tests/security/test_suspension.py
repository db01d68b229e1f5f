"""An admin suspends a member: its users' sessions and keys stop at once; audited."""

from sqlalchemy import select

from registry.models import AuditEntry, MemberStatus, OutboxMessage


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_suspending_through_the_api_stops_keys_and_sessions_at_once(app, db, factory):
    user = factory.member_user()
    member_key = factory.api_key(user)
    admin_key = factory.api_key(factory.admin())
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert browser.get("/account/api-keys").status_code == 200
    api = app.test_client()
    assert api.get("/api/v1/watches", headers=bearer(member_key)).status_code == 200

    response = api.post(
        f"/api/v1/admin/members/{user.member_id}/suspend",
        json={"reason": "Filed invoices it could not evidence"},
        headers=bearer(admin_key),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "suspended"

    assert api.get("/api/v1/watches", headers=bearer(member_key)).status_code == 401
    assert browser.get("/account/api-keys").status_code == 302  # to the login page
    again = browser.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert "suspended" in again.get_data(as_text=True)
    db.refresh(user.member)
    assert user.member.status is MemberStatus.SUSPENDED
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_type == "member", AuditEntry.action == "suspended"
        )
    )
    assert entry.note == "Filed invoices it could not evidence"
    assert (entry.from_state, entry.to_state) == ("active", "suspended")
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "member_suspended"))


def test_suspend_is_for_admin_keys_and_needs_a_reason(client, db, factory):
    user = factory.member_user()
    member_key = factory.api_key(user)
    admin_key = factory.api_key(factory.admin())
    path = f"/api/v1/admin/members/{user.member_id}/suspend"
    assert (
        client.post(path, json={"reason": "abcdef"}, headers=bearer(member_key)).status_code == 404
    )
    short = client.post(path, json={"reason": "x"}, headers=bearer(admin_key))
    assert short.status_code == 422 and "reason" in short.get_json()["error"]["fields"]
    unknown = client.post(
        "/api/v1/admin/members/999999/suspend", json={"reason": "abcdef"}, headers=bearer(admin_key)
    )
    assert unknown.status_code == 404
    db.refresh(user.member)
    assert user.member.status is MemberStatus.ACTIVE
    client.post(path, json={"reason": "first time"}, headers=bearer(admin_key))
    twice = client.post(path, json={"reason": "second time"}, headers=bearer(admin_key))
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "invalid_transition"


def test_an_admin_suspends_in_the_portal(client, auth, db, factory):
    user = factory.member_user(name="Shady Traders")
    auth.login(factory.admin().email)
    page = client.get("/admin/members?status=active").get_data(as_text=True)
    assert "Shady Traders" in page and "Suspend" in page
    empty = client.post(f"/admin/members/{user.member_id}/suspend", data={"reason": ""})
    assert empty.status_code == 422
    done = client.post(
        f"/admin/members/{user.member_id}/suspend", data={"reason": "Forged evidence"}
    )
    assert done.status_code == 303
    db.refresh(user.member)
    assert user.member.status is MemberStatus.SUSPENDED
    assert user.member.status_reason == "Forged evidence"
