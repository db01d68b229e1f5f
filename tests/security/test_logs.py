"""Logs never hold a token, a key, a password or a link's secret: paths are logged by
route template, in the app's JSON log and in gunicorn's access log; production hides
SQL parameters from tracebacks."""

import base64
import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal.gunicorn_logging import RedactingLogger
from registry.actors import SYSTEM
from registry.db import make_engine
from registry.identifiers import gstin_for
from registry.members import accounts, api_keys
from registry.models import OutboxMessage
from tests.conftest import PASSWORD, PDF
from tests.production.crash import Site

TODAY = __import__("datetime").date.today()


@pytest.fixture
def site(database_server, tmp_path):
    url = database_server.migrated_url()
    running = Site(url, tmp_path)
    yield running
    running.close()


def get(url, **kwargs):
    return requests.get(url, timeout=30, **kwargs)


def post(url, **kwargs):
    return requests.post(url, timeout=30, **kwargs)


def csrf(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def complaint_body():
    return {
        "debtor": {
            "name": "Balaji Enterprises",
            "gstin": gstin_for("27", "ABCPB2222B"),
            "email": "accounts@balaji.example",
        },
        "invoices": [
            {
                "number": "BE-1",
                "invoice_date": str(TODAY - timedelta(days=80)),
                "due_date": str(TODAY - timedelta(days=50)),
                "amount_paise": 250000_00,
            }
        ],
        "evidence": [{"filename": "be-1.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }


def test_a_full_journey_leaves_no_secret_in_any_log(site):
    with site.sessions.begin() as session:
        user = accounts.create_active(
            session,
            accounts.Application(
                "Kaveri Agro", gstin_for("29", "AABCK1234L"), "kaveri@x.example", PASSWORD
            ),
            SYSTEM,
        )
        key = api_keys.create(session, user, "journey", SYSTEM)[1]
    web = site.web()
    api = {"Authorization": f"Bearer {key}"}
    browser = requests.Session()
    login = browser.get(f"{web.url}/login", timeout=30).text
    signed_in = browser.post(
        f"{web.url}/login",
        data={"email": "kaveri@x.example", "password": PASSWORD, "csrf_token": csrf(login)},
    )
    assert signed_in.status_code == 200 and "Log out" in signed_in.text
    keys_page = browser.get(f"{web.url}/account/api-keys").text
    made = browser.post(
        f"{web.url}/account/api-keys",
        data={"name": "second", "csrf_token": csrf(keys_page)},
    ).text
    portal_key = re.search(r'id="new-key">(kr_[^<]+)<', made).group(1)
    assert get(f"{web.url}/api/v1/businesses/search?q=balaji", headers=api).ok
    filed = post(f"{web.url}/api/v1/complaints", json=complaint_body(), headers=api)
    assert filed.status_code == 201, filed.text
    with site.sessions() as session:
        mail = session.scalars(select(OutboxMessage.body)).all()
    token = re.search(r"/notice/([A-Za-z0-9_-]{16,})", "\n".join(mail)).group(1)
    assert get(f"{web.url}/notice/{token}", headers={"Referer": f"{web.url}/notice/{token}"}).ok
    assert get(f"{web.url}/api/v1/notices/{token}").ok
    disputed = post(
        f"{web.url}/api/v1/notices/{token}/dispute",
        json={"reason": "wrong_amount", "statement": "We returned half."},
    )
    assert disputed.status_code == 201
    get(f"{web.url}/notice/{token}x?token={token}")  # a mistyped link: 404
    get(f"{web.url}/api/v1/complaints", headers={"Authorization": f"Bearer {portal_key}"})
    forgot = browser.get(f"{web.url}/forgot-password").text
    browser.post(
        f"{web.url}/forgot-password",
        data={"email": "kaveri@x.example", "csrf_token": csrf(forgot)},
    )
    with site.sessions() as session:
        mail = session.scalars(select(OutboxMessage.body)).all()
    reset = re.search(r"/reset-password/([A-Za-z0-9_-]{20,})", "\n".join(mail)).group(1)
    assert get(f"{web.url}/reset-password/{reset}").ok
    site.processes[0].kill9()

    log = web.output()
    assert '"GET /notice/<token> HTTP/1.1" 200' in log  # gunicorn's line, by template
    assert '"path": "/api/v1/notices/<token>/dispute"' in log  # the app's JSON line
    assert "/reset-password/<token>" in log
    for secret in (token, key, portal_key, PASSWORD, key[:20], token[:16], reset):
        assert secret not in log, secret


def test_the_access_log_keeps_only_the_route_and_the_origin():
    logger = RedactingLogger.__new__(RedactingLogger)
    logger.cfg = SimpleNamespace(access_log_format="", accesslog=None)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/reset-password/s3cr3t?x=1",
        "PATH_INFO": "/reset-password/s3cr3t",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://registry.example/notice/s3cr3t",
        "HTTP_AUTHORIZATION": "Bearer kr_s3cr3t",
        "khata.route": "/reset-password/<token>",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[("X-Request-ID", "abc")])
    req = SimpleNamespace(
        headers=[("AUTHORIZATION", "Bearer kr_s3cr3t"), ("COOKIE", "session=s3cr3t")]
    )
    atoms = logger.atoms(resp, req, environ, timedelta(seconds=1))
    assert atoms["r"] == "GET /reset-password/<token> HTTP/1.1"
    assert atoms["f"] == "https://registry.example"
    assert "s3cr3t" not in repr(atoms)


def test_paths_are_logged_by_route_template(client, caplog):
    caplog.set_level(logging.INFO, logger="khata.access")
    client.get("/notice/some-secret-token-value")
    client.get("/no/such/page/secret-value")
    paths = [r.fields["path"] for r in caplog.records if r.name == "khata.access"]
    assert paths == ["/notice/<token>", "<no route>"]
    assert "secret" not in caplog.text


def test_production_hides_sql_parameters_from_errors(database_url):
    engine = make_engine(database_url, hide_parameters=True)
    with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE x = :p"), {"p": "hunter2-password"})
    engine.dispose()
    assert "hunter2-password" not in str(caught.value)
    assert "hidden" in str(caught.value)


@pytest.mark.parametrize(("env", "hidden"), [("production", True), ("development", False)])
def test_the_app_hides_sql_parameters_in_production_only(settings, env, hidden):
    from portal import create_app

    app = create_app({"REGISTRY_SETTINGS": settings.but(env=env, search_index_copy=False)})
    engine = app.extensions["registry"].engine
    assert engine.hide_parameters is hidden
    engine.dispose()
