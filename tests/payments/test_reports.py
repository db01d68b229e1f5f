"""What a credit report shows, what it never shows, and who may read it for how long."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from registry.actors import SYSTEM
from registry.directory import search
from registry.errors import NotFound
from registry.identifiers import gstin_for
from registry.models import (
    BusinessAlias,
    BusinessGstin,
    ComplaintStatus,
    OrderStatus,
    ReportSnapshot,
    utcnow,
)
from registry.payments import fulfilment, orders
from registry.reports import credit_report
from registry.reports.pdf import render_pdf
from tests.payments.conftest import FakeGateway, bearer, checkout_object, deliver, event, new_pan

C = ComplaintStatus


@pytest.fixture
def reporter(factory, db):
    user = factory.member_user(name="Shree Ganesh Textiles Pvt Ltd")
    user.member.industry = "Textiles"
    db.flush()
    return user


def test_identity_shows_every_name_and_gstin_under_the_pan(db, make_business):
    pan = new_pan()
    business = make_business("Balaji Enterprises", pan=pan, states=("27", "24"))
    db.add(BusinessAlias(name="Shri Balaji Ent.", business_id=business.id, source="import"))
    make_business("Balaji Enterprises (Chennai)", pan=pan, states=("33",), with_pan=False)
    old = make_business("Balaji Traders", pan=new_pan(), states=())
    old.merged_into_id = business.id
    stranger = make_business("Balaji Enterprises", states=("29",))
    db.flush()

    identity = credit_report.build_report(db, business.id, utcnow())["business"]
    assert identity["name"] == "Balaji Enterprises" and identity["pan"] == pan
    assert identity["gstins"] == sorted(gstin_for(code, pan) for code in ("24", "27", "33"))
    assert identity["aliases"] == [
        "Balaji Enterprises (Chennai)",
        "Balaji Traders",
        "Shri Balaji Ent.",
    ]
    assert (identity["city"], identity["state"]) == ("Pune", "Maharashtra")
    assert gstin_for("29", stranger.pan) not in identity["gstins"]
    assert (
        credit_report.build_report(db, old.id, utcnow())["business"]["business_id"] == business.id
    )


@pytest.mark.parametrize(
    ("status", "listed", "closed_days_ago", "shown"),
    [
        (C.LISTED, True, None, True),
        (C.DISPUTED, True, None, True),
        (C.SETTLED, True, 30, True),
        (C.SETTLED, True, 5 * 365 - 2, True),
        (C.SETTLED, True, 5 * 365 + 2, False),
        (C.REMOVED, True, 10, False),
        (C.WITHDRAWN, False, 10, False),
        (C.IN_NOTICE, False, None, False),
        (C.FILED, False, None, False),
        # disputed or settled within the notice period: never listed, so never shown
        (C.DISPUTED, False, None, False),
        (C.SETTLED, False, 10, False),
    ],
)
def test_which_complaints_a_report_and_a_search_show(
    db, reporter, make_business, make_complaint, status, listed, closed_days_ago, shown
):
    business = make_business()
    make_complaint(
        reporter,
        business,
        status,
        listed_days_ago=30 if listed else None,
        closed_days_ago=closed_days_ago,
    )
    report = credit_report.build_report(db, business.id, utcnow())
    assert [row["status"] for row in report["complaints"]] == ([status.value] if shown else [])
    assert report["score"]["value"] == 100 or shown
    assert sum(search.complaint_counts(db, [business.id]).get(business.id, ())) == int(shown)
    assert sum(search.search(db, business.pan).hits[0].counts) == int(shown)


def test_complaints_show_amounts_ageing_and_industry_never_the_reporter(
    db, reporter, make_business, make_complaint
):
    business = make_business()
    make_complaint(
        reporter, business, C.LISTED, invoices=((45, 300_000_00, 50_000_00), (10, 100_000_00, 0))
    )
    report = credit_report.build_report(db, business.id, utcnow())
    row = report["complaints"][0]
    assert row["reporter_industry"] == ""  # the only member in Textiles (3 needed)
    assert row["amount_paise"] == 400_000_00 and row["outstanding_paise"] == 350_000_00
    assert [i["days_past_due"] for i in row["invoices"]] == [45, 10]
    assert row["days_past_due"] == 45
    text = json.dumps(report)
    assert reporter.member.name not in text and "Ganesh" not in text
    assert reporter.member.gstin not in text and reporter.email not in text
    assert "INV-" not in text  # invoice numbers can point at who issued them
    assert report["summary"] == {
        "complaints": 1,
        "open": 1,
        "settled": 0,
        "outstanding_paise": 350_000_00,
    }


def test_settled_invoices_stop_ageing_when_settled(db, reporter, make_business, make_complaint):
    business = make_business()
    make_complaint(
        reporter, business, C.SETTLED, invoices=((100, 1_000_000, 0),), closed_days_ago=40
    )
    row = credit_report.build_report(db, business.id, utcnow())["complaints"][0]
    assert row["invoices"][0]["days_past_due"] == 60
    assert row["outstanding_paise"] == 0 and row["settled_on"]


def test_removed_and_withdrawn_complaints_do_not_move_the_score(
    db, reporter, factory, make_business, make_complaint
):
    business = make_business()
    make_complaint(reporter, business, C.LISTED)
    before = credit_report.build_report(db, business.id, utcnow())["score"]
    other = factory.member_user()
    make_complaint(other, business, C.REMOVED, invoices=((400, 90_000_000, 0),))
    make_complaint(other, business, C.WITHDRAWN, invoices=((400, 90_000_000, 0),))
    make_complaint(other, business, C.IN_NOTICE, invoices=((400, 90_000_000, 0),))
    assert credit_report.build_report(db, business.id, utcnow())["score"] == before


def test_the_score_falls_with_a_second_reporter_and_rises_on_settlement(
    db, reporter, factory, make_business, make_complaint
):
    business = make_business()
    first = make_complaint(reporter, business, C.LISTED)
    one = credit_report.build_report(db, business.id, utcnow())["score"]["value"]
    second = make_complaint(factory.member_user(), business, C.LISTED)
    two = credit_report.build_report(db, business.id, utcnow())["score"]["value"]
    assert two < one
    for complaint in (first, second):
        complaint.status, complaint.closed_at = C.SETTLED, utcnow()
    db.flush()
    settled = credit_report.build_report(db, business.id, utcnow())["score"]
    assert settled["value"] > one
    assert [f["name"] for f in settled["factors"]] == ["days_beyond_terms", "settlements"]


def test_the_report_of_a_business_without_complaints(db, make_business):
    report = credit_report.build_report(db, make_business().id, utcnow())
    assert report["complaints"] == []
    assert (report["score"]["value"], report["score"]["grade"]) == (100, "A")
    assert report["generated_at"].endswith("Z")


def test_an_unknown_business_has_no_report(db):
    with pytest.raises(NotFound):
        credit_report.build_report(db, 999999, utcnow())


# -- access: paid, not refunded, 30 days ---------------------------------------------------


@pytest.fixture
def paid(db, factory, make_business, make_complaint, reporter, start_order):
    """A member, a business with a listed complaint, and a paid order on it."""
    business = make_business()
    make_complaint(reporter, business, C.LISTED)
    buyer = factory.member_user()
    gateway = FakeGateway(keyed=False)
    order = start_order(gateway, buyer, business).order
    outcome = fulfilment.fulfil(db, gateway, checkout_object(order), trusted=True, source="test")
    assert outcome.text == "paid"
    return buyer, business, order


def test_a_paid_report_is_a_dated_snapshot(db, paid, reporter, make_complaint):
    buyer, business, order = paid
    _order, content = credit_report.report_for_member(db, buyer.member_id, business.id, utcnow())
    assert len(content["complaints"]) == 1
    make_complaint(reporter, business, C.LISTED)  # the registry moves on...
    _order, again = credit_report.report_for_member(db, buyer.member_id, business.id, utcnow())
    assert again == content  # ...the report sold does not
    snapshot = db.query(ReportSnapshot).filter_by(order_id=order.id).one()
    assert snapshot.generated_at == order.paid_at


@pytest.mark.parametrize(("days", "readable"), [(0, True), (29, True), (30, False), (45, False)])
def test_a_report_is_readable_for_30_days(db, paid, days, readable):
    buyer, business, _order = paid
    later = utcnow() + timedelta(days=days, seconds=1 if days else 0)
    if readable:
        assert credit_report.report_for_member(db, buyer.member_id, business.id, later)
    else:
        with pytest.raises(credit_report.PaymentRequired):
            credit_report.report_for_member(db, buyer.member_id, business.id, later)


def test_a_refunded_or_someone_elses_report_is_not_readable(db, paid, factory):
    buyer, business, order = paid
    with pytest.raises(credit_report.PaymentRequired):
        credit_report.report_for_member(db, factory.member_user().member_id, business.id, utcnow())
    fulfilment.refund(db, FakeGateway(), order.id, SYSTEM)
    assert order.status is OrderStatus.REFUNDED
    with pytest.raises(credit_report.PaymentRequired):
        credit_report.report_for_member(db, buyer.member_id, business.id, utcnow())


def test_a_report_bought_before_a_merge_answers_for_the_survivor(db, paid, make_business):
    buyer, business, _order = paid
    survivor = make_business("Survivor Traders")
    business.merged_into_id = survivor.id
    db.flush()
    assert credit_report.report_for_member(db, buyer.member_id, survivor.id, utcnow())
    assert credit_report.report_for_member(db, buyer.member_id, business.id, utcnow())


def test_the_api_answers_402_then_200(client, db, factory, make_business):
    user = factory.member_user()
    key = factory.api_key(user)
    business = make_business()
    locked = client.get(f"/api/v1/reports/{business.id}", headers=bearer(key))
    assert locked.status_code == 402 and locked.json["error"]["code"] == "payment_required"
    created = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(key)
    ).json
    order = orders.get_for_member(db, created["id"], user.member_id)
    deliver(client, event("checkout.session.completed", checkout_object(order)))
    body = client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).json
    assert {"business", "score", "complaints", "generated_at"} <= set(body)
    assert set(body["score"]) == {"value", "grade", "factors", "not_counted", "history"}
    assert body["business"]["business_id"] == business.id and body["order_id"] == order.id


def test_the_pdf_is_a_pdf_of_the_report(db, reporter, make_business, make_complaint):
    business = make_business("Sri Sai Plastics ₹ Pvt Ltd")
    make_complaint(reporter, business, C.LISTED)
    pdf = render_pdf(credit_report.build_report(db, business.id, utcnow()))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1500


def test_the_pdf_prints_the_rupee_sign_and_a_devanagari_name(
    db, reporter, make_business, make_complaint
):
    # fpdf2's built-in fonts printed "Rs." and left a Devanagari name out entirely.
    business = make_business("श्री गणेश ट्रेडर्स", city="Indore", state="Madhya Pradesh")
    make_complaint(reporter, business, C.LISTED, invoices=((45, 2_39_500_00, 30_000_00),))
    pdf = render_pdf(credit_report.build_report(db, business.id, utcnow()))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "श्री गणेश ट्रेडर्स" in text
    assert "₹2,39,500.00" in text and "Rs." not in text
    assert re.search(r"Generated \d{1,2} [A-Z][a-z]{2} \d{4}", text)  # 4 Dec 2026
    assert "listed" in text and "in_notice" not in text


def test_gstins_are_not_mixed_between_entities(db, make_business):
    one, two = make_business(), make_business()
    db.add(BusinessGstin(gstin=gstin_for("09", two.pan), business_id=two.id))
    db.flush()
    assert not set(credit_report.build_report(db, one.id, utcnow())["business"]["gstins"]) & set(
        credit_report.build_report(db, two.id, utcnow())["business"]["gstins"]
    )
