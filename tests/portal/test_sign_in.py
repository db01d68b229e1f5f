"""Logging in and out, applying, and the protections around them."""

import io
import re

import pytest
from sqlalchemy import func, select

from registry.identifiers import gstin_for
from registry.members import logins
from registry.models import Member, MemberStatus
from tests.conftest import PASSWORD, PDF, build_app


def test_login_page_uses_the_contract_field_names(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert 'autocomplete="current-password"' in page


def test_a_member_logs_in_and_out(client, auth, factory):
    user = factory.member_user(name="Kaveri Foods")
    response = auth.login(user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Kaveri Foods" in client.get("/").get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert client.get("/account/api-keys").headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", ["/account/api-keys", "/admin/members", "/admin/audit"])
def test_login_required(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_wrong_password_is_refused_with_a_message(client, auth, factory):
    user = factory.member_user()
    response = auth.login(user.email, "not the password")
    assert response.status_code == 422
    assert "Email or password is incorrect" in response.get_data(as_text=True)


def test_a_pending_member_is_told_to_wait(client, auth, factory):
    user = factory.member_user(active=False)
    response = auth.login(user.email)
    assert response.status_code == 422
    assert "awaiting verification" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site(client, factory, target):
    user = factory.member_user()
    response = client.post(
        f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_followed(client, factory):
    user = factory.member_user()
    response = client.post(
        "/login?next=/account/api-keys", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/api-keys"


def test_applying_creates_a_pending_member(client, db):
    gstin = gstin_for("33", "ABCFN5555E")
    response = client.post(
        "/apply",
        data={
            "business_name": "New India Packaging",
            "gstin": gstin,
            "industry": "Packaging",
            "email": "ops@newindia.example",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "gst_certificate": (io.BytesIO(PDF), "registration.pdf"),
        },
    )
    assert response.status_code == 302
    member = db.scalar(select(Member).where(Member.gstin == gstin))
    assert member.status is MemberStatus.PENDING and member.industry == "Packaging"


def test_a_bad_application_shows_errors_and_writes_nothing(client, db):
    before = db.scalar(select(func.count()).select_from(Member))
    response = client.post(
        "/apply",
        data={
            "business_name": "Bad GSTIN Co",
            "gstin": "27AAAPL1234C1ZX",
            "email": "x@bad.example",
            "password": PASSWORD,
            "confirm": PASSWORD + "x",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "passwords differ" in page
    response = client.post(
        "/apply",
        data={
            "business_name": "Bad GSTIN Co",
            "gstin": "27AAAPL1234C1ZX",
            "email": "x@bad.example",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "checksum does not match" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Member)) == before


def test_forms_refuse_a_post_without_csrf_token(settings, session_factory, factory):
    user = factory.member_user()
    client = build_app(settings, session_factory).test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)


def test_login_with_csrf_token_works_and_renews_the_session(settings, session_factory, factory):
    user = factory.member_user()
    client = build_app(settings, session_factory).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session


def test_logins_are_rate_limited(settings, session_factory, factory):
    user = factory.member_user()
    client = build_app(
        settings.but(ratelimit_enabled=True), session_factory, WTF_CSRF_ENABLED=False
    ).test_client()
    codes = [
        client.post("/login", data={"email": user.email, "password": "wrong guess!"}).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [422] * 10
    assert codes[10] == 429
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    )


def test_a_password_change_signs_out_other_sessions(client, auth, factory, db):
    user = factory.member_user()
    auth.login(user.email)
    assert client.get("/account/api-keys").status_code == 200
    logins.change_password(db, user, PASSWORD, "a quite different passphrase")
    db.flush()
    assert client.get("/account/api-keys").status_code == 302
