"""Buying a report in the portal, paying on the local test gateway's page, reading it.

These run with CSRF on, as in production: every form is submitted with its token."""

from __future__ import annotations

import re

import pytest

from registry.models import ComplaintStatus, OrderStatus, ReportOrder
from tests.conftest import PASSWORD, build_app

WARNING = "Pay only through this portal's gateway, never into a person's account"


def token(page):
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert found, "the page has no CSRF-protected form"
    return found.group(1)


@pytest.fixture
def csrf_app(settings, session_factory):
    return build_app(settings, session_factory)


def signed_in(app, user):
    client = app.test_client()
    login = client.get("/login")
    answer = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token(login)}
    )
    assert answer.status_code == 302
    return client


@pytest.fixture
def scene(csrf_app, db, factory, make_business, make_complaint):
    reporter = factory.member_user()
    business = make_business("Lakshmi Paper Mart", city="Surat", state="Gujarat")
    make_complaint(reporter, business, ComplaintStatus.LISTED)
    buyer = factory.member_user()
    return signed_in(csrf_app, buyer), buyer, business


def start_checkout(client, business):
    page = client.get(f"/reports/buy/{business.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert WARNING in text and "₹499.00" in text and "Lakshmi Paper Mart" in text
    answer = client.post(f"/reports/buy/{business.id}", data={"csrf_token": token(page)})
    assert answer.status_code == 303
    return answer.headers["Location"]


def submit(client, checkout_url, outcome):
    page = client.get(checkout_url)
    return client.post(checkout_url, data={"csrf_token": token(page), "outcome": outcome})


def the_order(db, buyer):
    return db.query(ReportOrder).filter_by(member_id=buyer.member_id).one()


def test_buy_pay_and_read_the_report(db, scene):
    client, buyer, business = scene
    checkout_url = start_checkout(client, business)
    assert checkout_url.startswith("http://localhost/test-gateway/checkout/cs_test_")

    page = client.get(checkout_url).get_data(as_text=True)
    assert WARNING in page and "₹499.00" in page and f"#{the_order(db, buyer).id}" in page
    assert '<button name="outcome" value="paid"' in page
    assert '<button name="outcome" value="failed"' in page

    paid = submit(client, checkout_url, "paid")
    assert (
        paid.status_code == 303
        and "/reports/return?session_id=cs_test_" in paid.headers["Location"]
    )
    back = client.get(paid.headers["Location"])
    order = the_order(db, buyer)
    assert back.headers["Location"] == f"/reports/orders/{order.id}/report"
    report = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "Credit report: Lakshmi Paper Mart" in report and 'id="score"' in report
    assert order.status is OrderStatus.PAID

    pdf = client.get(f"/reports/orders/{order.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    listing = client.get("/reports").get_data(as_text=True)
    assert f"#{order.id}" in listing and "paid" in listing


def test_the_checkout_page_is_used_once(db, scene, csrf_app):
    client, buyer, business = scene
    checkout_url = start_checkout(client, business)
    form = token(client.get(checkout_url))  # the buyer has the page open too
    stranger = csrf_app.test_client()  # the capability is the address: no login needed
    assert stranger.get(checkout_url).status_code == 200
    assert submit(stranger, checkout_url, "paid").status_code == 303
    again = client.post(checkout_url, data={"csrf_token": form, "outcome": "paid"})
    assert again.status_code == 409 and "cannot be used again" in again.get_data(as_text=True)
    assert 'value="paid"' not in client.get(checkout_url).get_data(as_text=True)
    assert the_order(db, buyer).status is OrderStatus.PAID


def test_a_failed_payment_closes_the_order(db, scene):
    client, buyer, business = scene
    checkout_url = start_checkout(client, business)
    back = client.get(submit(client, checkout_url, "failed").headers["Location"])
    order = the_order(db, buyer)
    assert order.status is OrderStatus.EXPIRED
    assert back.headers["Location"] == f"/reports/orders/{order.id}"
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "closed without a payment" in page
    assert client.get(f"/reports/orders/{order.id}/report").status_code == 402


def test_an_unpaid_order_page_warns_and_leads_back_to_the_gateway(db, scene):
    client, buyer, business = scene
    checkout_url = start_checkout(client, business)
    order = the_order(db, buyer)
    page = client.get(f"/reports/orders/{order.id}").get_data(as_text=True)
    assert WARNING in page and "has not confirmed a payment" in page
    resume = client.get(f"/reports/orders/{order.id}/checkout")
    assert resume.status_code == 303 and resume.headers["Location"] == checkout_url
    assert client.get(f"/reports/orders/{order.id}/report").status_code == 402


def test_forms_without_their_csrf_token_are_refused(db, scene):
    client, buyer, business = scene
    assert client.post(f"/reports/buy/{business.id}").status_code == 400
    assert db.query(ReportOrder).filter_by(member_id=buyer.member_id).count() == 0
    checkout_url = start_checkout(client, business)
    assert client.post(checkout_url, data={"outcome": "paid"}).status_code == 400
    assert the_order(db, buyer).status is OrderStatus.PENDING


def test_buying_by_id(db, scene):
    client, _buyer, business = scene
    found = client.get(f"/reports/buy?business_id={business.id}")
    assert found.headers["Location"] == f"/reports/buy/{business.id}"
    wrong = client.get("/reports/buy?business_id=abc")
    assert wrong.status_code == 422 and "Not a valid integer value." in wrong.get_data(as_text=True)
    assert client.get("/reports/buy/987654").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/reports",
        "/reports/buy?business_id=1",
        "/reports/buy/1",
        "/reports/orders/1",
        "/reports/orders/1/checkout",
        "/reports/orders/1/report",
        "/reports/orders/1/report.pdf",
        "/reports/return?session_id=cs_test_x",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_other_members_orders_are_404(db, scene, csrf_app, factory):
    client, buyer, business = scene
    checkout_url = start_checkout(client, business)
    submit(client, checkout_url, "paid")
    order = the_order(db, buyer)
    snoop = signed_in(csrf_app, factory.member_user())
    for path in ("", "/checkout", "/report", "/report.pdf"):
        assert snoop.get(f"/reports/orders/{order.id}{path}").status_code == 404
    assert snoop.get(f"/reports/return?session_id={order.checkout_session_id}").status_code == 404
    assert f"#{order.id}" not in snoop.get("/reports").get_data(as_text=True)


def test_with_a_gateway_key_there_is_no_test_checkout_page(keyed_client):
    assert keyed_client.get("/test-gateway/checkout/cs_test_" + "a" * 24).status_code == 404
