"""GST tax invoices and credit notes: figures that add up, one series per financial year,
and the PDF a member downloads from the API and the portal."""

from __future__ import annotations

import io
import secrets
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from registry.actors import SYSTEM
from registry.identifiers import gstin_for
from registry.members import accounts, api_keys
from registry.models import OrderStatus, ReportOrder, TaxDocumentKind
from registry.payments import tax_invoices
from registry.payments.tax_invoices import (
    amount_in_words,
    document_number,
    financial_year,
    taxes,
)
from tests.conftest import PASSWORD
from tests.payments.conftest import PRICE, bearer, checkout_object, deliver, event

REGISTRY = "27AAACK1234K1ZP"  # the settings' (demo) seller, in Maharashtra (27)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 4, 1), "2026-27"),
        (date(2026, 12, 4), "2026-27"),
        (date(2027, 3, 31), "2026-27"),
        (date(2027, 4, 1), "2027-28"),
        (date(2099, 6, 1), "2099-00"),
    ],
)
def test_the_financial_year_runs_april_to_march(day, year):
    assert financial_year(day) == year


def test_the_configured_price_splits_as_the_law_says():
    within = taxes(49900, REGISTRY, gstin_for("27", "ABCPB2222B"))
    assert (within.taxable, within.cgst, within.sgst, within.igst) == (42288, 3806, 3806, 0)
    across = taxes(49900, REGISTRY, gstin_for("07", "ABCPB2222B"))
    assert (across.taxable, across.cgst, across.sgst, across.igst) == (42288, 0, 0, 7612)


@given(st.integers(min_value=1, max_value=10**11), st.sampled_from(["27", "07", "33", "97"]))
def test_the_parts_always_add_up_to_what_was_paid(total, state):
    split = taxes(total, REGISTRY, f"{state}ABCPB2222B1Z5")
    assert split.taxable + split.cgst + split.sgst + split.igst == total
    assert abs(split.tax - round(split.taxable * 0.18)) <= 1
    if state == "27":
        assert split.igst == 0 and 0 <= split.sgst - split.cgst <= 1
    else:
        assert split.cgst == split.sgst == 0


@pytest.mark.parametrize(
    ("paise", "words"),
    [
        (49900, "Rupees Four Hundred Ninety-Nine Only"),
        (2_39_500_50, "Rupees Two Lakh Thirty-Nine Thousand Five Hundred and Fifty Paise Only"),
        (
            1_23_45_678_00,
            "Rupees One Crore Twenty-Three Lakh Forty-Five Thousand Six Hundred Seventy-Eight Only",
        ),
        (100, "Rupees One Only"),
    ],
)
def test_amounts_in_words_read_the_indian_way(paise, words):
    assert amount_in_words(paise) == words


@pytest.fixture
def member(factory):
    user = factory.member_user("Shree Ganesh Textiles")
    return user, factory.api_key(user)


def pay(client, db, fake_gateway, key, business):
    created = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(key)
    ).json
    order = db.get(ReportOrder, created["id"])
    fake_gateway.pay(order)
    deliver(client, event("checkout.session.completed", checkout_object(order)))
    db.refresh(order)
    assert order.status is OrderStatus.PAID
    return order


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_a_paid_order_has_a_tax_invoice_whose_figures_add_up(
    keyed_client, db, member, make_business, fake_gateway
):
    user, key = member
    order = pay(keyed_client, db, fake_gateway, key, make_business())
    answer = keyed_client.get(f"/api/v1/reports/orders/{order.id}/invoice", headers=bearer(key))
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data)
    (invoice,) = tax_invoices.documents_of(db, order.id)
    assert document_number(invoice) in text and len(document_number(invoice)) <= 16
    assert "Tax Invoice" in text and "998591" in text
    assert "Khata Registry Services Private Limited" in text and REGISTRY in text
    assert "Shree Ganesh Textiles" in text and user.member.gstin in text
    assert "Place of supply: Maharashtra (27)" in text
    assert "₹422.88" in text and "₹38.06" in text and "₹499.00" in text  # 422.88 + 2 x 38.06
    assert "CGST" in text and "IGST" not in text
    assert "Rupees Four Hundred Ninety-Nine Only" in text
    assert invoice.amount_paise == PRICE


def test_a_buyer_in_another_state_pays_igst(keyed_client, db, make_business, fake_gateway):
    user = accounts.create_active(
        db,
        accounts.Application(
            "Delhi Paper House",
            gstin_for("07", "ABCFD7777D"),
            f"delhi-{secrets.token_hex(3)}@example.com",
            PASSWORD,
        ),
        SYSTEM,
    )
    key = api_keys.create(db, user, "tests", SYSTEM)[1]
    order = pay(keyed_client, db, fake_gateway, key, make_business())
    text = pdf_text(
        keyed_client.get(f"/api/v1/reports/orders/{order.id}/invoice", headers=bearer(key)).data
    )
    assert "IGST 18%" in text and "₹76.12" in text and "CGST" not in text
    assert "Place of supply: Delhi (07)" in text


def test_numbers_run_in_one_series_per_year_and_a_refund_adds_a_credit_note(
    keyed_client, db, factory, member, make_business, fake_gateway
):
    _user, key = member
    first = pay(keyed_client, db, fake_gateway, key, make_business())
    second = pay(keyed_client, db, fake_gateway, key, make_business())
    numbers = [tax_invoices.documents_of(db, o.id)[0].number for o in (first, second)]
    assert numbers[1] == numbers[0] + 1
    admin = factory.api_key(factory.admin())
    refunded = keyed_client.post(f"/api/v1/admin/orders/{second.id}/refund", headers=bearer(admin))
    assert refunded.status_code == 200
    invoice, credit = tax_invoices.documents_of(db, second.id)
    assert credit.kind is TaxDocumentKind.CREDIT_NOTE and document_number(credit).startswith("CN/")
    text = pdf_text(
        keyed_client.get(f"/api/v1/reports/orders/{second.id}/invoice", headers=bearer(key)).data
    )
    assert "Tax Invoice" in text and "Credit Note" in text
    assert f"Against tax invoice {document_number(invoice)}" in text


def test_a_payment_rolled_back_leaves_no_gap(db, member, make_business, start_order, fake_gateway):
    user, _key = member
    order = start_order(fake_gateway, user, make_business()).order
    at = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    with db.begin_nested() as undone:
        taken = tax_invoices.issue(db, order, TaxDocumentKind.INVOICE, at).number
        undone.rollback()
    again = tax_invoices.issue(db, order, TaxDocumentKind.INVOICE, at)
    assert again.number == taken
    assert tax_invoices.issue(db, order, TaxDocumentKind.INVOICE, at) is again  # once per order


def test_no_invoice_for_an_unpaid_or_anothers_order(
    keyed_client, db, factory, member, make_business, fake_gateway
):
    _user, key = member
    created = keyed_client.post(
        "/api/v1/reports/orders", json={"business_id": make_business().id}, headers=bearer(key)
    ).json
    unpaid = keyed_client.get(
        f"/api/v1/reports/orders/{created['id']}/invoice", headers=bearer(key)
    )
    assert unpaid.status_code == 402 and unpaid.json["error"]["code"] == "payment_required"
    paid = pay(keyed_client, db, fake_gateway, key, make_business())
    other = factory.api_key(factory.member_user())
    answer = keyed_client.get(f"/api/v1/reports/orders/{paid.id}/invoice", headers=bearer(other))
    assert answer.status_code == 404
    assert keyed_client.get(f"/api/v1/reports/orders/{paid.id}/invoice").status_code == 401


def test_the_order_page_offers_the_invoice(
    keyed_client, db, member, auth, make_business, fake_gateway
):
    user, key = member
    order = pay(keyed_client, db, fake_gateway, key, make_business())
    keyed_client.post("/login", data={"email": user.email, "password": PASSWORD})
    page = keyed_client.get(f"/reports/orders/{order.id}").get_data(as_text=True)
    (invoice,) = tax_invoices.documents_of(db, order.id)
    assert document_number(invoice) in page and "Download the tax invoice (PDF)" in page
    download = keyed_client.get(f"/reports/orders/{order.id}/invoice.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert document_number(invoice) in pdf_text(download.data)
