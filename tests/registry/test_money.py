"""Rupee amounts read the Indian way (lakh and crore grouping) wherever they are shown."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from registry.money import indian_grouping, rupees
from registry.reports.pdf import render_pdf


@pytest.mark.parametrize(
    ("paise", "shown"),
    [
        (0, "₹0.00"),
        (None, "₹0.00"),
        (5, "₹0.05"),
        (99, "₹0.99"),
        (999_00, "₹999.00"),
        (1_000_00, "₹1,000.00"),
        (99_999_99, "₹99,999.99"),
        (1_00_000_00, "₹1,00,000.00"),
        (12_34_567_00, "₹12,34,567.00"),
        (12_34_56_789_50, "₹12,34,56,789.50"),
        (1_00_00_00_000_00, "₹1,00,00,00,000.00"),
        (-5, "-₹0.05"),
        (-1_50_000_00, "-₹1,50,000.00"),
    ],
)
def test_amounts_use_lakh_and_crore_grouping(paise, shown):
    assert rupees(paise) == shown


@pytest.mark.parametrize(
    ("whole", "grouped"),
    [(0, "0"), (7, "7"), (123, "123"), (1234, "1,234"), (12345, "12,345"), (123456, "1,23,456")],
)
def test_grouping_of_whole_numbers(whole, grouped):
    assert indian_grouping(whole) == grouped


def test_the_pdf_report_writes_rupees_with_indian_grouping():
    report = {
        "business": {
            "name": "Lakshmi Paper Mart",
            "aliases": [],
            "pan": "ABCFL1111A",
            "gstins": [],
            "city": "Surat",
            "state": "Gujarat",
        },
        "score": {"value": 40, "grade": "D", "factors": []},
        "credit_limit": {"band": "Up to ₹25,000, part payment in advance"},
        "generated_at": "2026-11-22",
        "complaints": [
            {
                "ref": "C1",
                "status": "listed",
                "reported_on": "2026-10-01",
                "settled_on": None,
                "reporter_industry": "Textiles",
                "amount_paise": 12_34_56_789_50,
                "outstanding_paise": 1_00_000_00,
                "days_past_due": 60,
                "invoices": [
                    {
                        "invoice_date": "2026-08-01",
                        "due_date": "2026-09-01",
                        "amount_paise": 12_34_56_789_50,
                        "paid_paise": 0,
                        "days_past_due": 60,
                    }
                ],
            }
        ],
    }
    pdf = render_pdf(report)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "₹12,34,56,789.50" in text and "₹1,00,000.00" in text
    assert "₹0.00" in text and "123,456,789" not in text and "Rs." not in text


def test_the_report_pages_money_macro_uses_the_same_grouping(app):
    template = app.jinja_env.from_string(
        '{% from "reports/_macros.html" import money %}{{ money(amount) }}'
    )
    with app.app_context():
        assert template.render(amount=12_34_567_00) == "₹12,34,567.00"
