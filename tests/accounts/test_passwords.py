"""Passwords: strength, change when signed in, and reset by an emailed one-use link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.actors import SYSTEM
from registry.errors import ValidationFailed
from registry.identifiers import gstin_for
from registry.members import accounts, logins
from registry.members.passwords import password_problem
from registry.models import OutboxMessage, PasswordReset, utcnow
from tests.conftest import PASSWORD

NEW = "saffron kettle marble orbit"


@pytest.mark.parametrize(
    "weak",
    ["aaaaaaaaaa", "password12", "aaaaaaaaaaaa", "password1234", "qwertyuiop12", "123456789012"],
)
def test_short_common_and_weak_passwords_are_refused(weak):
    assert password_problem(weak) is not None


def test_a_password_made_of_the_users_own_email_is_refused():
    assert password_problem("ravi.kumar.traders", ("ravi.kumar.traders@example.com",))
    assert password_problem(PASSWORD) is None


def test_applying_and_creating_an_admin_refuse_weak_passwords(db):
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_admin(db, "weak-admin@example.com", "password1234", SYSTEM)
    assert "password" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        accounts.apply(
            db,
            accounts.Application(
                "Weak Traders", gstin_for("27", "AABCW1234Q"), "w@example.com", "aaaaaaaaaaaa"
            ),
        )
    assert "password" in refused.value.fields


def test_changing_the_password_ends_every_other_session(app, db, factory, auth, client):
    user = factory.member_user()
    other = app.test_client()
    auth.login(user.email)
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/account/api-keys").status_code == 200

    wrong = client.post(
        "/account/password",
        data={"current_password": "not my password", "password": NEW, "confirm": NEW},
    )
    assert wrong.status_code == 422
    weak = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "password1234", "confirm": "password1234"},
    )
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)

    done = client.post(
        "/account/password", data={"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert done.status_code == 302
    assert client.get("/account/api-keys").status_code == 200  # this browser stays in
    assert other.get("/account/api-keys").status_code == 302  # the other one is out
    again = app.test_client()
    assert again.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    assert again.post("/login", data={"email": user.email, "password": NEW}).status_code == 302
    told = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == user.email, OutboxMessage.kind == "password_changed"
        )
    ).all()
    assert len(told) == 1


def _reset_link(db, email):
    message = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == email, OutboxMessage.kind == "password_reset")
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None
    return re.search(r"http://localhost(/reset-password/\S+)", message.body).group(1)


def test_forgot_password_answers_alike_for_known_and_unknown_emails(app, db, factory):
    user = factory.member_user()
    pages = []
    for email in (user.email, "nobody-here@example.com"):
        browser = app.test_client()
        asked = browser.post("/forgot-password", data={"email": email})
        assert asked.status_code == 302
        pages.append((asked.headers["Location"], browser.get(asked.headers["Location"]).text))
    assert pages[0] == pages[1]
    assert "If that email has a login" in pages[0][1]
    sent = db.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.kind == "password_reset")
    )
    assert list(sent) == [user.email]


def test_a_reset_link_works_once_and_ends_every_session(app, client, db, factory, auth):
    user = factory.member_user()
    auth.login(user.email)
    assert client.get("/account/api-keys").status_code == 200
    anon = app.test_client()
    anon.post("/forgot-password", data={"email": user.email})
    link = _reset_link(db, user.email)
    token = link.rsplit("/", 1)[1]
    # Only a hash is stored.
    assert db.scalar(select(PasswordReset.token_hash)) != token
    assert anon.get(link).status_code == 200
    short = anon.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = anon.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert client.get("/account/api-keys").status_code == 302  # the old session ended
    assert anon.get(link).status_code == 404  # used
    assert anon.post(link, data={"password": NEW + "x", "confirm": NEW + "x"}).status_code == 404
    assert anon.post("/login", data={"email": user.email, "password": NEW}).status_code == 302


def test_a_reset_link_expires_after_an_hour(client, db, factory):
    user = factory.member_user()
    client.post("/forgot-password", data={"email": user.email})
    link = _reset_link(db, user.email)
    reset = db.scalar(select(PasswordReset))
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    assert client.get(link).status_code == 404
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 404
    assert client.get("/reset-password/made-up-token").status_code == 404


def test_change_password_service_needs_the_current_password(db, factory):
    user = factory.member_user()
    version = user.session_version
    with pytest.raises(ValidationFailed):
        logins.change_password(db, user, "wrong one entirely", NEW)
    assert user.session_version == version
    logins.change_password(db, user, PASSWORD, NEW)
    assert user.session_version == version + 1
