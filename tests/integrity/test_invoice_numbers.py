"""An invoice number is unique per member and financial year (April to March, by the
invoice date), whichever debtor it names, as GST invoice numbering is. Before, a member
could report one invoice against two businesses (the second a wrong or made-up one)."""

from __future__ import annotations

import base64
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registry.actors import Actor
from registry.complaints import filing
from registry.directory import debtors
from registry.errors import Conflict
from registry.identifiers import gstin_for
from registry.models import Complaint, Invoice
from registry.models.base import financial_year
from tests.conftest import PDF, filing_request

TODAY = date.today()
#: An invoice dated in this financial year's first month or last year's, both overdue.
THIS_YEAR_START = date(TODAY.year if TODAY.month >= 4 else TODAY.year - 1, 4, 1)
OTHER_DEBTOR = debtors.DebtorIn(
    name="Balaji Enterprises", gstin=gstin_for("27", "ABCPB2222B"), email="pay@balaji.example"
)


def invoice(number, day):
    return [filing.InvoiceIn(number, day, day + timedelta(days=15), 300000_00)]


@pytest.fixture
def member(factory):
    return Actor.of(factory.member_user())


def complaints(db):
    return db.scalar(select(func.count()).select_from(Complaint))


def test_financial_years_run_april_to_march():
    assert financial_year(date(2026, 4, 1)) == "2026-27"
    assert financial_year(date(2027, 3, 31)) == "2026-27"
    assert financial_year(date(2026, 3, 31)) == "2025-26"
    assert financial_year(date(1999, 12, 1)) == "1999-00"


def test_one_invoice_cannot_be_reported_against_two_debtors(db, settings, member):
    day = TODAY - timedelta(days=60)
    filing.file_complaint(db, settings, member, filing_request(invoices=invoice("INV-9", day)))
    before = complaints(db)
    with pytest.raises(Conflict) as caught:
        filing.file_complaint(
            db,
            settings,
            member,
            filing_request(debtor=OTHER_DEBTOR, invoices=invoice("inv 9", day + timedelta(days=1))),
        )
    assert caught.value.code == "duplicate_invoice"
    assert caught.value.extra["invoices"] == ["INV-9"]
    assert complaints(db) == before


def test_the_same_number_in_another_financial_year_is_another_invoice(db, settings, member):
    last_year = THIS_YEAR_START - timedelta(days=10)
    this_year = max(THIS_YEAR_START + timedelta(days=1), TODAY - timedelta(days=200))
    this_year = min(this_year, TODAY - timedelta(days=20))
    if financial_year(this_year) == financial_year(last_year):  # pragma: no cover
        pytest.skip("no overdue day in this financial year yet")
    filing.file_complaint(db, settings, member, filing_request(invoices=invoice("A-1", last_year)))
    filing.file_complaint(
        db,
        settings,
        member,
        filing_request(debtor=OTHER_DEBTOR, invoices=invoice("A-1", this_year)),
    )
    years = sorted(db.scalars(select(Invoice.financial_year)))
    assert years == sorted([financial_year(last_year), financial_year(this_year)])


def test_another_member_may_use_the_same_number(db, settings, member, factory):
    day = TODAY - timedelta(days=60)
    filing.file_complaint(db, settings, member, filing_request(invoices=invoice("X-1", day)))
    other = Actor.of(factory.member_user())
    filing.file_complaint(db, settings, other, filing_request(invoices=invoice("X-1", day)))
    assert complaints(db) == 2


def test_the_api_answers_409_duplicate_invoice(client, factory, db):
    key = factory.api_key(factory.member_user())
    headers = {"Authorization": f"Bearer {key}"}

    def body(debtor):
        return {
            "debtor": debtor,
            "invoices": [
                {
                    "number": "Q-17",
                    "invoice_date": str(TODAY - timedelta(days=70)),
                    "due_date": str(TODAY - timedelta(days=40)),
                    "amount_paise": 300000_00,
                }
            ],
            "evidence": [{"filename": "q.pdf", "content_base64": base64.b64encode(PDF).decode()}],
        }

    first = {
        "name": "Lakshmi Paper Mart",
        "gstin": gstin_for("24", "ABCFL1111A"),
        "email": "a@l.example",
    }
    second = {
        "name": "Balaji Enterprises",
        "gstin": gstin_for("27", "ABCPB2222B"),
        "email": "b@b.example",
    }
    assert client.post("/api/v1/complaints", json=body(first), headers=headers).status_code == 201
    again = client.post("/api/v1/complaints", json=body(second), headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate_invoice"
    assert complaints(db) == 1


def test_the_form_shows_the_duplicate_clearly(client, auth, factory, db, settings):
    user = factory.member_user()
    filing.file_complaint(
        db,
        settings,
        Actor.of(user),
        filing_request(invoices=invoice("OSL-77", TODAY - timedelta(days=70))),
    )
    db.commit()
    auth.login(user.email)
    data = {
        "debtor_name": "Om Shanti Logistics",
        "debtor_gstin": gstin_for("07", "ABCFO6666F"),
        "debtor_email": "pay@omshanti.example",
        "invoices-0-number": "osl 77",
        "invoices-0-invoice_date": str(TODAY - timedelta(days=70)),
        "invoices-0-due_date": str(TODAY - timedelta(days=40)),
        "invoices-0-amount": "350000",
        "evidence": [(io.BytesIO(PDF), "osl-77.pdf")],
    }
    response = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code in (409, 422), page
    assert "already reported invoice OSL-77" in page
    assert complaints(db) == 1
