"""Helpers for the members' tools: CSV files of overdue invoices, complaints in any state."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from registry.actors import SYSTEM, Actor
from registry.complaints import filing, life
from registry.identifiers import gstin_for
from registry.models import Complaint, ComplaintStatus, User
from tests.conftest import filing_request

TODAY = date.today()
HEADER = [
    "Party Name",
    "GSTIN",
    "Email",
    "City",
    "Bill No",
    "Bill Date",
    "Due Date",
    "Amount",
    "Paid",
]


def days_ago(n: int) -> str:
    """The date n days ago as Tally writes it (05-Sep-2026): never ambiguous, whatever
    today is (see test_bulk_dates for the day-or-month numeric ones)."""
    return (TODAY - timedelta(days=n)).strftime("%d-%b-%Y")


def gstin(n: int, state: str = "27") -> str:
    """A valid GSTIN of a firm, different for each n."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return gstin_for(state, f"ABZF{letters[n % 24]}{1000 + n:04d}{letters[(n * 7) % 24]}")


def row(
    name: str = "Lakshmi Paper Mart",
    gst: str = "",
    number: str = "LP-101",
    invoiced: int = 90,
    due: int = 60,
    amount: str = "1,50,000.00",
    paid: str = "",
    email: str = "accounts@lakshmi.example",
    city: str = "Surat",
) -> list[str]:
    return [name, gst, email, city, number, days_ago(invoiced), days_ago(due), amount, paid]


def csv_bytes(
    rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER, delimiter: str = ","
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def make_complaint(db, settings) -> Callable[..., Complaint]:
    """A complaint of `user`'s member against the filing_request debtor (or `debtor`),
    moved to `status` through the complaint's own transitions."""
    counter = iter(range(1, 10_000))

    def make(
        user: User, status: ComplaintStatus = ComplaintStatus.IN_NOTICE, **overrides: Any
    ) -> Complaint:
        n = next(counter)
        invoices = overrides.pop("invoices", None) or [
            filing.InvoiceIn(
                f"T-{n}",
                TODAY - timedelta(days=100),
                TODAY - timedelta(days=70),
                200000_00,
                50000_00,
            )
        ]
        filed = filing.file_complaint(
            db, settings, Actor.of(user), filing_request(invoices=invoices, **overrides)
        )
        complaint = filed.complaint
        path = {
            ComplaintStatus.IN_NOTICE: [],
            ComplaintStatus.LISTED: [ComplaintStatus.LISTED],
            ComplaintStatus.DISPUTED: [ComplaintStatus.DISPUTED],
            ComplaintStatus.SETTLED: [ComplaintStatus.LISTED, ComplaintStatus.SETTLED],
            ComplaintStatus.REMOVED: [ComplaintStatus.DISPUTED, ComplaintStatus.REMOVED],
            ComplaintStatus.WITHDRAWN: [ComplaintStatus.WITHDRAWN],
        }[status]
        for step in path:
            life.transition(db, complaint, step, SYSTEM, "test")
        return complaint

    return make
