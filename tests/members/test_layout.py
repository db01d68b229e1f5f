"""The portal as a whole: one layout with landmarks, navigation per kind of user, paged
lists, friendly error pages, and no inline scripts or external assets."""

from __future__ import annotations

import re

import pytest

from registry import apikeys, members
from registry.actors import SYSTEM
from registry.identifiers import gstin_for
from tests.conftest import PASSWORD

MEMBER_PAGES = [
    "/",
    "/complaints",
    "/complaints/new",
    "/imports",
    "/watches",
    "/alerts",
    "/reports",
    "/search?q=Lakshmi",
    "/account/api-keys",
]
ADMIN_PAGES = ["/admin/disputes", "/admin/duplicates", "/admin/members", "/admin/audit"]


def assert_accessible_layout(page: str) -> None:
    assert '<html lang="en">' in page and '<a class="skip" href="#main">' in page
    assert '<main id="main"' in page and "<footer>" in page and 'aria-label="Main"' in page
    assert page.count("<h1") == 1
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    assert not re.search(r"\son[a-z]+=\"", page), "inline event handler"
    assert not re.search(r'(src|href)="(https?:)?//', page.split("<main", 1)[0]), "external asset"
    for found in re.finditer(r"<(?:input|select|textarea)\b[^>]*>", page):
        tag, before = found.group(0), page[: found.start()]
        if 'type="hidden"' in tag or 'type="submit"' in tag:
            continue
        field_id = re.search(r'\bid="([^"]+)"', tag)
        wrapped = before.rfind("<label") > before.rfind("</label>")
        labelled = (
            wrapped or "aria-label=" in tag or (field_id and f'for="{field_id.group(1)}"' in page)
        )
        assert labelled, f"unlabelled form control: {tag}"


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_pages_share_one_accessible_layout(client, auth, factory, path):
    auth.login(factory.member_user().email)
    answer = client.get(path)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert_accessible_layout(page)
    assert ">Dashboard<" in page and ">Import CSV<" in page and ">Watchlist<" in page
    assert "Disputes</a>" not in page


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_share_the_layout_with_their_own_navigation(client, auth, factory, path):
    auth.login(factory.admin().email)
    page = client.get(path).get_data(as_text=True)
    assert_accessible_layout(page)
    assert ">Disputes</a>" in page and ">Duplicates</a>" in page and ">Import CSV<" not in page


def test_the_current_page_is_marked_in_the_navigation(client, auth, factory):
    auth.login(factory.member_user().email)
    page = client.get("/watches").get_data(as_text=True)
    assert '<a href="/watches" aria-current="page">Watchlist</a>' in page


def test_admins_land_on_the_dispute_queue_and_visitors_on_the_welcome(client, auth, factory):
    welcome = client.get("/").get_data(as_text=True)
    assert ">Log in</a>" in welcome and "Know who pays" in welcome
    auth.login(factory.admin().email)
    assert client.get("/").headers["Location"] == "/admin/disputes"


def test_an_unknown_page_is_a_friendly_404(client, auth, factory):
    answer = client.get("/no/such/page")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 404 and "Page not found" in page and "Error 404" in page
    assert_accessible_layout(page)
    auth.login(factory.member_user().email)
    assert "Go to your dashboard" in client.get("/complaints/999999").get_data(as_text=True)


def test_a_crash_is_a_friendly_500(client, auth, factory, monkeypatch):
    from registry import dashboard

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dashboard, "overview", broken)
    auth.login(factory.member_user().email)
    answer = client.get("/")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 500 and "Something went wrong" in page and "boom" not in page


def test_a_wrong_method_is_a_friendly_page(client):
    answer = client.post("/search")
    assert answer.status_code == 405 and "<main" in answer.get_data(as_text=True)


def test_api_keys_are_paged(client, auth, db, factory):
    user = factory.member_user()
    for n in range(27):
        apikeys.create(db, user, f"key {n}", SYSTEM)
    auth.login(user.email)
    page = client.get("/account/api-keys").get_data(as_text=True)
    assert "1–25 of 27 keys" in page and 'rel="next"' in page
    assert "26–27 of 27 keys" in client.get("/account/api-keys?page=2").get_data(as_text=True)


def test_the_admin_member_list_is_paged(client, auth, db, factory):
    for n in range(26):
        members.apply(
            db,
            members.Application(
                f"Applicant {n}",
                gstin_for("27", f"AAQFA{1000 + n:04d}B"),
                f"a{n}@x.example",
                PASSWORD,
            ),
        )
    auth.login(factory.admin().email)
    page = client.get("/admin/members?status=pending").get_data(as_text=True)
    assert "1–25 of 26 pending members" in page
    assert "26–26 of 26 pending members" in client.get(
        "/admin/members?status=pending&page=2"
    ).get_data(as_text=True)


def test_the_debtors_notice_has_its_own_navigation(client, db, settings, factory):
    from registry import filing
    from registry.actors import Actor
    from tests.conftest import filing_request

    filed = filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    page = client.get(f"/notice/{filed.notice_token}").get_data(as_text=True)
    assert 'aria-label="This notice"' in page and 'href="#dispute"' in page
    assert "private notice link" in page and ">Log in</a>" not in page
