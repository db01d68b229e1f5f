"""Two-factor: TOTP required for admins, optional for members, recovery codes, enrolment
by QR, and re-authentication before sensitive acts."""

import json
import re

import pyotp
from click.testing import CliRunner
from sqlalchemy import select

from portal import auth as portal_auth
from registry.cli import main
from registry.members import logins
from registry.models import AuditEntry
from tests.conftest import PASSWORD, build_app


def _password_step(client, email):
    return client.post("/login", data={"email": email, "password": PASSWORD})


def test_an_admin_needs_a_code_after_the_password(client, db, factory):
    admin = factory.admin()
    assert admin.totp_secret
    step = _password_step(client, admin.email)
    assert step.status_code == 200 and 'name="code"' in step.text
    assert client.get("/admin/members").status_code == 302  # not signed in yet
    wrong = client.post("/login", data={"code": "000000"})
    assert wrong.status_code == 422
    code = pyotp.TOTP(admin.totp_secret).now()
    right = client.post("/login", data={"code": code})
    assert right.status_code == 302
    assert client.get("/admin/members").status_code == 200


def test_a_totp_code_cannot_be_used_twice(app, db, factory):
    admin = factory.admin()
    code = pyotp.TOTP(admin.totp_secret).now()
    first = app.test_client()
    data = {"email": admin.email, "password": PASSWORD, "code": code}
    assert first.post("/login", data=data).status_code == 302
    assert app.test_client().post("/login", data=data).status_code == 422


def test_a_recovery_code_works_once(app, db, factory):
    user = factory.member_user()
    secret = logins.new_totp_secret()
    codes = logins.enable_totp(db, user, secret, pyotp.TOTP(secret).now())
    db.flush()
    assert len(codes) == 10
    browser = app.test_client()
    assert _password_step(browser, user.email).status_code == 200
    assert browser.post("/login", data={"code": codes[3]}).status_code == 302
    again = app.test_client()
    _password_step(again, user.email)
    assert again.post("/login", data={"code": codes[3]}).status_code == 422
    assert (
        db.scalar(select(AuditEntry).where(AuditEntry.action == "recovery_code_used")) is not None
    )


def test_a_member_can_enrol_by_qr_and_then_needs_a_code(app, client, db, factory, auth):
    user = factory.member_user()
    auth.login(user.email)
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    assert client.post("/account/two-factor", data={"code": "123456"}).status_code == 422
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{8})</code>", done.text)
    assert len(codes) == 10
    db.refresh(user)
    assert user.totp_secret == secret
    later = app.test_client()
    assert _password_step(later, user.email).status_code == 200  # asks for the code now
    assert later.get("/account/api-keys").status_code == 302
    assert later.post("/login", data={"code": codes[0]}).status_code == 302


def test_an_admin_without_two_factor_is_sent_to_enrol_first(client, db, factory, auth):
    admin = factory.admin()
    admin.totp_secret = None
    db.flush()
    assert auth.login(admin.email).status_code == 302
    for path in ("/admin/members", "/account/api-keys", "/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/account/two-factor")
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "Admins must use two-factor" in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert client.get("/admin/members").status_code == 200


def test_create_admin_prints_a_totp_secret_the_admin_logs_in_with(
    database_server, settings, tmp_path
):
    url = database_server.new_url()
    env = {"DATABASE_URL": url, "REGISTRY_INSTANCE": str(tmp_path)}
    assert CliRunner().invoke(main, ["init-db"], env=env).exit_code == 0
    weak = CliRunner().invoke(
        main,
        ["create-admin", "--email", "w@registry.example", "--password", "password1234"],
        env=env,
    )
    assert weak.exit_code != 0
    result = CliRunner().invoke(
        main, ["create-admin", "--email", "root@registry.example", "--password", PASSWORD], env=env
    )
    assert result.exit_code == 0, result.output
    secret = json.loads(result.stdout.strip())["totp_secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)

    from registry.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    app = build_app(
        settings.but(database_url=url), make_sessionmaker(engine), WTF_CSRF_ENABLED=False
    )
    browser = app.test_client()
    assert _password_step(browser, "root@registry.example").status_code == 200
    code = pyotp.TOTP(secret).now()
    assert browser.post("/login", data={"code": code}).status_code == 302
    assert browser.get("/admin/members").status_code == 200
    engine.dispose()


def test_merging_needs_a_recent_password_or_code(client, db, factory, auth, monkeypatch):
    admin = factory.admin()
    auth.login(admin.email)
    now = portal_auth._now()
    monkeypatch.setattr(portal_auth, "_now", lambda: now + 16 * 60)
    client.get("/admin/members")  # still signed in (active within 30 minutes)
    monkeypatch.setattr(portal_auth, "_now", lambda: now + 20 * 60)
    merge = client.post("/admin/duplicates/1/merge", headers={"Referer": "/admin/duplicates"})
    assert merge.status_code == 302
    assert "/account/confirm" in merge.headers["Location"]
    keys = client.post("/account/api-keys", data={"name": "ops"})
    assert "/account/confirm" in keys.headers["Location"]
    assert client.post("/account/confirm", data={"password": "wrong"}).status_code == 422
    ok = client.post("/account/confirm?next=/account/api-keys", data={"password": PASSWORD})
    assert ok.status_code == 302 and ok.headers["Location"] == "/account/api-keys"
    created = client.post("/account/api-keys", data={"name": "ops", "scopes": ["search"]})
    assert created.status_code == 200 and "kr_" in created.text


def test_the_enrolment_page_speaks_hindi(client, factory, auth):
    user = factory.member_user()
    auth.login(user.email)
    page = client.get("/account/two-factor?lang=hi").text
    assert "दो-चरणीय सत्यापन" in page and "ऑथेंटिकेटर ऐप" in page
