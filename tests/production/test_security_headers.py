"""Headers every response carries, and what the templates must keep to for the CSP."""

import re
from pathlib import Path

import pytest

from portal.security import CONTENT_SECURITY_POLICY
from tests.conftest import build_app

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/complaints", "/nowhere", "/"])
def test_every_response_carries_the_protective_headers(client, path):
    response = client.get(path)
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers


def test_hsts_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://registry.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forwarded_proto_is_ignored_without_trusted_proxies(client):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_forwarded_proto_is_honoured_behind_a_trusted_proxy(settings, session_factory):
    app = build_app(settings.but(trusted_proxies=1), session_factory, WTF_CSRF_ENABLED=False)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_public_pages_may_be_cached_private_ones_not(client, auth, factory):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    user = factory.member_user()
    auth.login(user.email)
    for path in ["/", "/complaints", "/account/api-keys"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]


def test_api_answers_and_notice_pages_are_not_stored(client, factory):
    key = factory.api_key(factory.member_user())
    response = client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    notice = client.get("/notice/not-a-real-token")
    assert notice.status_code == 404 and "no-store" in notice.headers["Cache-Control"]


def test_production_cookies_are_secure(settings, session_factory):
    app = build_app(settings.but(env="production"), session_factory)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_keep_to_the_content_security_policy(template):
    """No inline script, event handler attribute, javascript: URL or inline style."""
    source = template.read_text()
    inline_scripts = [m for m in re.findall(r"<script\b[^>]*>", source) if "src=" not in m]
    assert not inline_scripts
    assert not re.search(r"\son[a-z]+\s*=", source)
    assert "javascript:" not in source.lower()
    assert not re.search(r"\sstyle\s*=", source)
    assert "<style" not in source
