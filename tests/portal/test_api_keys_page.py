import re

from registry.models import ApiKey


def test_a_member_creates_lists_and_revokes_a_key(client, auth, factory):
    user = factory.member_user()
    auth.login(user.email)
    page = client.post("/account/api-keys", data={"name": "Tally sync"}).get_data(as_text=True)
    key = re.search(r'id="new-key">(kr_[^<]+)<', page).group(1)
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).json["email"]
        == user.email
    )
    listing = client.get("/account/api-keys").get_data(as_text=True)
    assert "Tally sync" in listing and key not in listing and key[:10] in listing
    key_id = re.search(r"/account/api-keys/(\d+)/revoke", listing).group(1)
    assert client.post(f"/account/api-keys/{key_id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_a_key_needs_a_name(client, auth, factory):
    auth.login(factory.member_user().email)
    response = client.post("/account/api-keys", data={"name": ""})
    assert response.status_code == 422
    assert "kr_" not in response.get_data(as_text=True)


def test_nobody_revokes_someone_elses_key(client, auth, factory):
    owner = factory.member_user()
    key = factory.api_key(owner)
    auth.login(factory.member_user().email)
    key_id = factory.session.query(ApiKey).filter_by(user_id=owner.id).one().id
    assert client.post(f"/account/api-keys/{key_id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
