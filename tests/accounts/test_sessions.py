"""Sessions end on the server: logout, suspension and timeouts; per-account throttling."""

from datetime import timedelta

from sqlalchemy import select, update

from portal import auth as portal_auth
from registry.actors import SYSTEM
from registry.members import accounts, logins
from registry.models import AuditEntry, LoginFailure, OutboxMessage, utcnow
from tests.conftest import PASSWORD


def _copy_cookies(source, target):
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


def test_a_cookie_copied_before_logout_no_longer_works(app, client, factory, auth):
    user = factory.member_user()
    auth.login(user.email)
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert thief.get("/account/api-keys").status_code == 200
    auth.logout()
    assert client.get("/account/api-keys").status_code == 302
    assert thief.get("/account/api-keys").status_code == 302


def test_suspension_ends_sessions_even_after_reactivation(app, db, factory, auth, client):
    user = factory.member_user()
    auth.login(user.email)
    assert client.get("/account/api-keys").status_code == 200
    accounts.suspend(db, user.member, SYSTEM, "Filed invoices it could not evidence")
    accounts.LIFE.apply(db, user.member, accounts.M.ACTIVE, SYSTEM, "reinstated")
    db.flush()
    assert client.get("/account/api-keys").status_code == 302


def test_end_sessions_for_a_member_ends_each_users_sessions(db, factory):
    user = factory.member_user()
    before = user.session_version
    logins.end_sessions(db, user.member)
    assert user.session_version == before + 1


def test_an_idle_session_ends_after_30_minutes(client, factory, auth, monkeypatch):
    user = factory.member_user()
    auth.login(user.email)
    now = portal_auth._now()
    monkeypatch.setattr(portal_auth, "_now", lambda: now + 29 * 60)
    assert client.get("/account/api-keys").status_code == 200
    monkeypatch.setattr(portal_auth, "_now", lambda: now + 58 * 60)  # 29 min after last use
    assert client.get("/account/api-keys").status_code == 200
    monkeypatch.setattr(portal_auth, "_now", lambda: now + 89 * 60)
    assert client.get("/account/api-keys").status_code == 302


def test_a_busy_session_still_ends_after_12_hours(client, factory, auth, monkeypatch):
    user = factory.member_user()
    auth.login(user.email)
    now = portal_auth._now()
    for minutes in range(20, 12 * 60, 20):
        monkeypatch.setattr(portal_auth, "_now", lambda m=minutes: now + m * 60)
        assert client.get("/account/api-keys").status_code == 200, minutes
    monkeypatch.setattr(portal_auth, "_now", lambda: now + 12 * 3600 + 60)
    assert client.get("/account/api-keys").status_code == 302


def test_ten_failures_lock_the_account_from_any_address_and_email_its_owner(app, db, factory):
    user = factory.member_user()
    for n in range(10):
        guesser = app.test_client()
        wrong = guesser.post(
            "/login",
            data={"email": user.email, "password": f"wrong guess {n}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n % 3 + 1}"},
        )
        assert wrong.status_code == 422
    owner = app.test_client()
    right = owner.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert right.status_code == 422
    assert "Try again in 15 minutes" in right.text
    assert owner.get("/account/api-keys").status_code == 302
    emails = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == user.email, OutboxMessage.kind == "login_locked"
        )
    ).all()
    assert len(emails) == 1
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "login_locked"))
    # When the window has passed, the right password works again.
    db.execute(
        update(LoginFailure)
        .where(LoginFailure.user_id == user.id)
        .values(at=utcnow() - timedelta(minutes=16))
    )
    db.flush()
    assert owner.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_wrong_two_factor_codes_count_too(app, db, factory):
    admin = factory.admin()
    for _ in range(10):
        browser = app.test_client()
        browser.post("/login", data={"email": admin.email, "password": PASSWORD, "code": "000000"})
    assert logins.locked_until(db, admin) is not None


def test_nine_failures_do_not_lock(app, db, factory):
    user = factory.member_user()
    for _ in range(9):
        app.test_client().post("/login", data={"email": user.email, "password": "nope nope"})
    assert logins.locked_until(db, user) is None
    ok = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert ok.status_code == 302
