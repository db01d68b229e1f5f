"""A report never lets its reader tell which member reported: the reporter's industry is
shown only when at least 3 active members share it, otherwise just "a member"."""

from __future__ import annotations

import json

from registry.models import ComplaintStatus, MemberStatus, utcnow
from registry.reports import credit_report
from registry.reports.pdf import render_pdf
from tests.payments.test_portal_pages import csrf_app, signed_in, start_checkout, submit

__all__ = ["csrf_app"]  # the fixture, imported for these tests


def steel_members(factory, db, count, status=MemberStatus.ACTIVE):
    users = [factory.member_user() for _ in range(count)]
    for user in users:
        user.member.industry = "Steel"
        user.member.status = status
    db.flush()
    return users


def test_the_only_member_in_an_industry_is_just_a_member(
    db, factory, make_business, make_complaint
):
    (reporter,) = steel_members(factory, db, 1)
    business = make_business()
    make_complaint(reporter, business, ComplaintStatus.LISTED)
    report = credit_report.build_report(db, business.id, utcnow())
    assert report["complaints"][0]["reporter_industry"] == ""
    assert "Steel" not in json.dumps(report)
    assert b"Steel" not in render_pdf(report)


def test_pending_rejected_and_suspended_members_do_not_count(
    db, factory, make_business, make_complaint
):
    (reporter,) = steel_members(factory, db, 1)
    steel_members(factory, db, 1, MemberStatus.PENDING)
    steel_members(factory, db, 1, MemberStatus.REJECTED)
    steel_members(factory, db, 1, MemberStatus.SUSPENDED)
    business = make_business()
    make_complaint(reporter, business, ComplaintStatus.LISTED)
    row = credit_report.build_report(db, business.id, utcnow())["complaints"][0]
    assert row["reporter_industry"] == ""


def test_an_industry_three_active_members_share_is_shown(
    db, factory, make_business, make_complaint
):
    reporter, *_ = steel_members(factory, db, 3)
    business = make_business()
    make_complaint(reporter, business, ComplaintStatus.LISTED)
    row = credit_report.build_report(db, business.id, utcnow())["complaints"][0]
    assert row["reporter_industry"] == "Steel"


def bought_report_page(csrf_app, factory, business):
    client = signed_in(csrf_app, factory.member_user())
    paid = submit(client, start_checkout(client, business), "paid")
    back = client.get(paid.headers["Location"])
    return client.get(back.headers["Location"]).get_data(as_text=True)


def test_the_report_page_names_no_lone_reporters_industry(
    csrf_app, db, factory, make_business, make_complaint
):
    (reporter,) = steel_members(factory, db, 1)
    business = make_business("Lakshmi Paper Mart", city="Surat", state="Gujarat")
    make_complaint(reporter, business, ComplaintStatus.LISTED)
    page = bought_report_page(csrf_app, factory, business)
    assert "By a member." in page and "Steel" not in page


def test_the_report_page_names_a_shared_industry(
    csrf_app, db, factory, make_business, make_complaint
):
    reporter, *_ = steel_members(factory, db, 3)
    business = make_business("Lakshmi Paper Mart", city="Surat", state="Gujarat")
    make_complaint(reporter, business, ComplaintStatus.LISTED)
    page = bought_report_page(csrf_app, factory, business)
    assert "By a member in <strong>Steel</strong>." in page
