"""The portal in English and Hindi, and every HTML route answering as HTML."""

from __future__ import annotations

import re

import pytest
from flask import Flask

HINDI_HOME = "उधार देने से पहले जानिए कौन भुगतान करता है"
ENGLISH_HOME = "Know who pays before you give credit"


def html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', page)
    assert found, "no <html lang>"
    return found.group(1)


def test_lang_hi_switches_the_page_and_is_remembered(client):
    page = client.get("/?lang=hi")
    text = page.get_data(as_text=True)
    assert html_lang(text) == "hi" and HINDI_HOME in text
    assert page.headers["Content-Language"] == "hi"
    # The next page, without the switch, stays in Hindi.
    login = client.get("/login").get_data(as_text=True)
    assert html_lang(login) == "hi" and "<h1>लॉग इन करें</h1>" in login
    back = client.get("/login?lang=en").get_data(as_text=True)
    assert html_lang(back) == "en-IN" and "<h1>Log in</h1>" in back
    assert html_lang(client.get("/").get_data(as_text=True)) == "en-IN"


def test_the_browser_language_is_the_default(app: Flask):
    hindi = app.test_client().get("/", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"})
    assert HINDI_HOME in hindi.get_data(as_text=True)
    other = app.test_client().get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert ENGLISH_HOME in other.get_data(as_text=True)


@pytest.mark.parametrize("asked", ["xx", "../../etc", "<script>", "hi-IN-x"])
def test_an_unknown_language_is_ignored(client, asked):
    page = client.get("/", query_string={"lang": asked})
    assert page.status_code == 200 and html_lang(page.get_data(as_text=True)) == "en-IN"
    assert "lang=" not in page.headers.get("Set-Cookie", "")


def test_every_page_offers_the_switch_keeping_its_question(client, factory, auth):
    user = factory.member_user()
    auth.login(user.email)
    page = client.get("/search?q=Balaji&city=Pune").get_data(as_text=True)
    switch = re.search(r'<a href="([^"]+)" lang="hi" hreflang="hi">हिन्दी</a>', page)
    assert switch, "no switch to Hindi"
    target = switch.group(1).replace("&amp;", "&")
    assert target.startswith("/search?") and "q=Balaji" in target and "lang=hi" in target
    hindi = client.get(target).get_data(as_text=True)
    assert html_lang(hindi) == "hi" and "उधार देने से पहले खरीदार की जाँच करें" in hindi


def test_member_pages_show_dates_day_first_and_states_in_words(client, factory, auth, db):
    user = factory.member_user()
    auth.login(user.email)
    for path in ("/", "/complaints", "/watches", "/reports", "/account/api-keys"):
        page = re.sub(r"<[^>]+>", " ", client.get(path).get_data(as_text=True))
        assert not re.search(r">\s*\d{4}-\d{2}-\d{2}", page), path
        assert not re.search(r">\s*\d{2}-\d{2}-\d{4}", page), path
        assert "in_notice" not in page and "wrong_amount" not in page, path


def _sample_args(rule) -> dict[str, object]:
    """1 for an id, a word for anything else (the page may well answer 404: as HTML)."""
    return {
        name: 1 if type(rule._converters[name]).__name__.endswith("IdConverter") else "x"
        for name in rule.arguments
    }


SKIP_PREFIXES = ("/api/", "/static/", "/webhooks/")
SKIP_ENDPOINTS = ("health.", "static", "api")
NOT_HTML = (".pdf", ".csv", "/download", "/evidence/", "/invoice")


def _html_routes(app: Flask):
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(SKIP_PREFIXES):
            continue
        if rule.endpoint.startswith(SKIP_ENDPOINTS):
            continue
        if any(marker in rule.rule for marker in NOT_HTML):
            continue
        yield rule


@pytest.mark.parametrize("role", ["visitor", "member", "admin"])
def test_every_html_route_answers_text_html(app, client, factory, auth, role):
    """Whatever the answer (a page, a redirect, 402, 404), a browser route speaks HTML:
    the debtor's own report and the 'report locked' page once came as text/plain."""
    if role != "visitor":
        user = factory.admin() if role == "admin" else factory.member_user()
        auth.login(user.email)
    checked = 0
    with app.test_request_context():
        rules = list(_html_routes(app))
    for rule in rules:
        path = rule.build(_sample_args(rule), append_unknown=False)[1]
        response = client.get(path)
        assert response.mimetype == "text/html", (
            rule.rule,
            response.status_code,
            response.mimetype,
        )
        checked += 1
    assert checked > 20
