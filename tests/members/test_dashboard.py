"""A member's dashboard: amounts reported and recovered, statuses, ageing, CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from registry.complaints import filing
from registry.directory.debtors import DebtorIn
from registry.members import dashboard
from registry.models import ComplaintStatus
from tests.members.conftest import TODAY, gstin

C = ComplaintStatus


def invoice(number, days_past_due, amount, paid=0):
    return filing.InvoiceIn(
        number,
        TODAY - timedelta(days=days_past_due + 30),
        TODAY - timedelta(days=days_past_due),
        amount,
        paid,
    )


def test_the_figures_of_a_member(db, factory, make_complaint):
    user = factory.member_user()
    make_complaint(
        user,
        C.LISTED,
        invoices=[invoice("A", 10, 300000_00, 100000_00), invoice("B", 45, 50000_00)],
    )
    make_complaint(user, C.SETTLED, invoices=[invoice("C", 200, 400000_00)])
    make_complaint(user, C.WITHDRAWN, invoices=[invoice("D", 75, 900000_00)])
    make_complaint(
        user, C.DISPUTED, invoices=[invoice("E", 61, 70000_00), invoice("F", 91, 80000_00)]
    )
    make_complaint(factory.member_user(), C.LISTED)  # someone else's: never counted
    seen = dashboard.overview(db, user.member_id, TODAY)
    assert seen.outstanding_paise == 250000_00 + 150000_00
    assert seen.recovered_paise == 400000_00
    assert seen.reported_paise == 250000_00 + 150000_00 + 400000_00  # withdrawn left out
    assert seen.recovery_percent == 50
    assert seen.complaints == 3  # the withdrawn one is left out of the count too
    assert seen.withdrawn == 1
    by_status = {s.status: (s.count, s.paise) for s in seen.statuses}
    assert by_status["listed"] == (1, 250000_00) and "withdrawn" not in by_status
    assert by_status["in_notice"] == (0, 0) and "filed" not in by_status
    assert sum(s.paise for s in seen.statuses) == seen.reported_paise
    assert sum(s.count for s in seen.statuses) == seen.complaints
    assert [(b.label, b.invoices, b.paise) for b in seen.ageing] == [
        ("0–30 days", 1, 200000_00),
        ("31–60 days", 1, 50000_00),
        ("61–90 days", 1, 70000_00),
        ("90+ days", 1, 80000_00),
    ]


def test_the_dashboard_page_leaves_withdrawn_complaints_out_of_its_figures(
    client, auth, factory, make_complaint
):
    user = factory.member_user()
    make_complaint(user, C.LISTED, invoices=[invoice("A", 100, 300000_00)])
    make_complaint(user, C.WITHDRAWN, invoices=[invoice("W", 80, 700000_00)])
    auth.login(user.email)
    page = client.get("/").get_data(as_text=True)
    assert 'id="reported">₹3,00,000.00</span> reported in 1 complaint<' in page
    assert "₹7,00,000.00" not in page.split("Latest complaints")[0]
    assert "1 withdrawn complaint" in page and "left out of every figure" in page


def test_the_ageing_buckets_are_bounded_at_30_60_and_90_days(db, factory, make_complaint):
    user = factory.member_user()
    days = [30, 31, 60, 61, 90, 91]
    make_complaint(
        user, invoices=[invoice(f"I{d}", d, 100000_00 * (i + 1)) for i, d in enumerate(days)]
    )
    buckets = dashboard.ageing(db, user.member_id, TODAY)
    assert [b.invoices for b in buckets] == [1, 2, 2, 1]
    assert [b.paise for b in buckets] == [100000_00, 500000_00, 900000_00, 600000_00]


def test_the_dashboard_page_draws_the_chart_on_the_server(client, auth, factory, make_complaint):
    user = factory.member_user()
    make_complaint(user, C.LISTED, invoices=[invoice("A", 100, 300000_00)])
    auth.login(user.email)
    page = client.get("/").get_data(as_text=True)
    assert '<svg class="chart"' in page and 'role="img"' in page
    assert "90+ days: ₹3,00,000.00 in 1 invoice." in page  # the chart's text alternative
    assert 'id="outstanding">₹3,00,000.00' in page and "<script>" not in page
    assert "Lakshmi Paper Mart" in page


def test_the_export_holds_only_the_members_complaints_defused(
    client, auth, db, settings, factory, make_complaint
):
    user = factory.member_user()
    make_complaint(user, C.LISTED, invoices=[invoice("A-1", 100, 300000_00)])
    make_complaint(
        user,
        debtor=DebtorIn(name="=HYPERLINK(1)", gstin=gstin(9), email="x@y.example"),
        invoices=[invoice("B-1", 40, 200000_00)],
    )
    make_complaint(factory.member_user(), C.LISTED, invoices=[invoice("Z-9", 50, 500000_00)])
    auth.login(user.email)
    answer = client.get("/complaints.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["invoice_numbers"] for r in rows] == ["A-1", "B-1"]
    assert rows[0]["status"] == "listed" and rows[1]["status"] == "in its notice period"
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", rows[0]["filed_on"]), rows[0]["filed_on"]
    assert rows[0]["amount_outstanding_inr"] == "300000.00"
    assert rows[1]["debtor"] == "'=HYPERLINK(1)"


def test_the_complaints_list_is_paged_and_filtered(client, auth, factory, make_complaint):
    user = factory.member_user()
    for _ in range(27):
        make_complaint(user)
    make_complaint(user, C.LISTED)
    auth.login(user.email)
    first = client.get("/complaints").get_data(as_text=True)
    assert "1–25 of 28 complaints" in first and 'rel="next"' in first
    second = client.get("/complaints?page=2").get_data(as_text=True)
    assert "26–28 of 28 complaints" in second and 'rel="prev"' in second
    listed = client.get("/complaints?status=listed").get_data(as_text=True)
    assert "1–1 of 1 complaints" in listed
    assert client.get("/complaints?page=abc").status_code == 200
