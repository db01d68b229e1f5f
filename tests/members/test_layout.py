"""The portal as a whole: one layout with landmarks, navigation per kind of user, paged
lists, friendly error pages, and no inline scripts or external assets."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry.actors import SYSTEM, Actor
from registry.complaints import disputes, filing
from registry.directory import businesses
from registry.identifiers import gstin_for
from registry.members import api_keys, dashboard
from registry.models import Dispute, Member, MemberStatus, ReportOrder
from tests.conftest import filing_request

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
    assert '<html lang="en-IN">' in page and '<a class="skip" href="#main">' in page
    assert '<main id="main"' in page and "<footer>" in page and 'aria-label="Main"' in page
    assert page.count("<h1") == 1
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    assert not re.search(r"\son[a-z]+=\"", page), "inline event handler"
    assert not re.search(r"<style|\sstyle=\"", page), "inline style (the CSP forbids it)"
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
        api_keys.create(db, user, f"key {n}", SYSTEM)
    auth.login(user.email)
    page = client.get("/account/api-keys").get_data(as_text=True)
    assert "1–25 of 27 keys" in page and 'rel="next"' in page
    assert "26–27 of 27 keys" in client.get("/account/api-keys?page=2").get_data(as_text=True)


def test_the_admin_member_list_is_paged(client, auth, db, factory):
    db.add_all(  # applications without logins: hashing 26 passwords would only be slow
        Member(
            name=f"Applicant {n}",
            gstin=gstin_for("27", f"AAQFA{1000 + n:04d}B"),
            contact_email=f"a{n}@x.example",
            status=MemberStatus.PENDING,
        )
        for n in range(26)
    )
    db.flush()
    auth.login(factory.admin().email)
    page = client.get("/admin/members?status=pending").get_data(as_text=True)
    assert "1–25 of 26 pending members" in page
    assert "26–26 of 26 pending members" in client.get(
        "/admin/members?status=pending&page=2"
    ).get_data(as_text=True)


def test_the_debtors_notice_has_its_own_navigation(client, db, settings, factory):
    filed = filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    page = client.get(f"/notice/{filed.notice_token}").get_data(as_text=True)
    assert 'aria-label="This notice"' in page and 'href="#dispute"' in page
    assert "private notice link" in page and ">Log in</a>" not in page


def test_report_orders_are_paged(client, auth, db, factory):
    user = factory.member_user()
    business = businesses.create(db, SYSTEM, "Lakshmi Paper Mart")
    db.add_all(
        ReportOrder(
            member_id=user.member_id, user_id=user.id, business_id=business.id, amount_paise=49900
        )
        for _ in range(26)
    )
    db.flush()
    auth.login(user.email)
    page = client.get("/reports").get_data(as_text=True)
    assert "1–25 of 26 orders" in page and page.count("Lakshmi Paper Mart") == 25
    assert "26–26 of 26 orders" in client.get("/reports?page=2").get_data(as_text=True)


def test_the_dispute_queue_is_paged_oldest_first(client, auth, db, settings, factory):
    member = Actor.of(factory.member_user())
    today = date.today()
    for n in range(26):
        invoice = filing.InvoiceIn(
            f"D-{n}", today - timedelta(days=60), today - timedelta(days=30), 200000_00
        )
        complaint = filing.file_complaint(
            db, settings, member, filing_request(invoices=[invoice])
        ).complaint
        disputes.open_dispute(db, settings, complaint, "other", f"Statement number {n:02d}.")
    auth.login(factory.admin().email)
    first = client.get("/admin/disputes").get_data(as_text=True)
    assert "1–25 of 26 open disputes" in first
    second = client.get("/admin/disputes?page=2").get_data(as_text=True)
    oldest = db.scalars(select(Dispute.id).order_by(Dispute.opened_at, Dispute.id)).all()
    assert f">#{oldest[0]}<" in first and f">#{oldest[-1]}<" in second


@pytest.mark.parametrize(
    "path", ["/complaints", "/complaints.csv", "/imports", "/imports/1", "/watches", "/alerts"]
)
def test_members_tools_need_a_members_login(client, auth, factory, path):
    assert client.get(path).headers["Location"].startswith("/login")
    auth.login(factory.admin().email)
    refused = client.get(path)
    assert refused.status_code == 403 and "Not allowed" in refused.get_data(as_text=True)
