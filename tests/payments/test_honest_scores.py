"""Honest scores: what the score leaves out is said next to it, its reasons read as
sentences (in Hindi too), and its history over the last year is shown as a chart."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from registry.models import ComplaintStatus, utcnow
from registry.payments import orders
from registry.reports import credit_report, history, scoring
from registry.reports.pdf import render_pdf
from tests.conftest import PASSWORD
from tests.payments.conftest import bearer, checkout_object, deliver, event

C = ComplaintStatus
LAKH = 1_00_000_00


@pytest.fixture
def reporter(factory, db):
    user = factory.member_user(name="Shree Ganesh Textiles Pvt Ltd")
    user.member.industry = "Textiles"
    db.flush()
    return user


def claim(status: str = "listed", days: float = 40.0) -> scoring.Claim:
    return scoring.Claim(
        1, status, LAKH, 0 if status == "settled" else LAKH, days, date(2026, 1, 1)
    )


def test_unpaid_invoices_are_never_said_to_be_paid_late():
    unpaid = scoring.score([claim("listed")], date(2026, 12, 4)).factors[0]
    assert unpaid.name == "days_beyond_terms" and "Paid" not in unpaid.label
    assert unpaid.label.startswith("Unpaid invoices are on average 40 days past")
    mixed = scoring.score([claim("listed"), claim("settled")], date(2026, 12, 4)).factors[0]
    assert "Paid" not in mixed.label and "unpaid ones counted until today" in mixed.label
    paid = scoring.score([claim("settled")], date(2026, 12, 4)).factors[0]
    assert paid.label.startswith("Paid on average 40 days after the due date")


def test_factors_read_as_sentences_not_codes():
    found = scoring.score(
        [claim("listed"), scoring.Claim(2, "disputed", LAKH, LAKH, 10, date(2026, 12, 1))],
        date(2026, 12, 4),
    )
    labels = [factor.label for factor in found.factors]
    assert "2 different members report unpaid invoices: a pattern, not a quarrel." in labels
    assert "₹2,00,000.00 is still unpaid on open complaints." in labels
    assert "The latest open complaint was reported 3 days ago." in labels
    assert all("(s)" not in label and "_" not in label for label in labels)


def test_complaints_outside_the_score_are_counted_next_to_it(
    db, reporter, make_business, make_complaint
):
    business = make_business()
    make_complaint(reporter, business, C.IN_NOTICE, listed_days_ago=None)
    make_complaint(reporter, business, C.DISPUTED, listed_days_ago=None)
    make_complaint(reporter, business, C.DISPUTED, listed_days_ago=None)
    report = credit_report.build_report(db, business.id, utcnow())
    assert report["score"]["value"] == 100  # none of them counts...
    assert report["score"]["not_counted"] == {"in_notice": 1, "under_dispute": 2}  # ...but said
    said = [
        text % values
        for text, values in credit_report.not_counted_sentences(report["score"]["not_counted"])
    ]
    assert said == [
        "1 complaint in its notice period, not counted yet.",
        "2 complaints under dispute, not counted.",
    ]
    pdf = render_pdf(report)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "1 complaint in its notice period, not counted yet." in text
    assert "The score over the last 12 months" in text


def test_month_ends():
    ends = history.month_ends(date(2026, 12, 4))
    assert len(ends) == 13 and ends[0] == date(2025, 12, 31) and ends[-2] == date(2026, 11, 30)
    assert ends[-1] == date(2026, 12, 4)


def test_the_history_follows_the_complaints_dates(db, reporter, make_business, make_complaint):
    business = make_business()
    # listed 200 days ago, settled 40 days ago; a removed one never counts, at any date
    make_complaint(reporter, business, C.SETTLED, listed_days_ago=200, closed_days_ago=40)
    make_complaint(reporter, business, C.REMOVED, listed_days_ago=300, closed_days_ago=10)
    report = credit_report.build_report(db, business.id, utcnow())
    series = report["score"]["history"]
    assert len(series) == 13 and series[-1]["on"] == utcnow().date().isoformat()
    assert series[-1]["value"] == report["score"]["value"]  # today's point is today's score
    assert series[0]["value"] == 100  # a year ago nothing was listed (the removed one ignored)
    assert min(point["value"] for point in series) < 100  # while it was open it weighed
    assert len({point["value"] for point in series}) > 2  # the open invoice aged month by month


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_the_report_page_says_it_and_draws_the_chart(
    client, db, auth, factory, reporter, make_business, make_complaint, lang
):
    business = make_business("Om Shanti Logistics")
    make_complaint(reporter, business, C.LISTED, listed_days_ago=100)
    make_complaint(reporter, business, C.IN_NOTICE, listed_days_ago=None)
    buyer = factory.member_user()
    created = client.post(
        "/api/v1/reports/orders",
        json={"business_id": business.id},
        headers=bearer(factory.api_key(buyer)),
    ).json
    order = orders.get_for_member(db, created["id"], buyer.member_id)
    deliver(client, event("checkout.session.completed", checkout_object(order)))
    auth.login(buyer.email, PASSWORD)
    page = client.get(f"/reports/orders/{order.id}/report?lang={lang}").get_data(as_text=True)
    assert '<svg id="score-history"' in page and "<polyline" in page
    assert page.count("<circle") == 13
    if lang == "en":
        assert "1 complaint in its notice period, not counted yet." in page
        assert "Unpaid invoices are on average 60 days past their due date" in page
    else:
        assert "1 शिकायत नोटिस अवधि में है, अभी गिनी नहीं गई।" in page
        assert "बकाया बिल औसतन नियत तारीख़ से 60 दिन आगे हैं" in page
