"""A member's own figures: what it reported and recovered, its complaints by state, how
old the unpaid invoices are, and its complaints as a CSV for its books.

Definitions (shown on the dashboard too):
Withdrawn complaints are left out of every total (count, amounts, statuses, ageing): a
member withdraws a complaint filed in error. Only their number is given, apart.

- reported: the amount outstanding when filed, of every complaint except withdrawn ones;
- recovered: that amount for complaints the member marked settled;
- outstanding: complaints still open (in notice, listed, disputed);
- ageing: the unpaid part of each invoice of an open complaint, by days past its due date.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from registry import language
from registry.language import N_
from registry.models import Business, Complaint, ComplaintStatus, Invoice

C = ComplaintStatus
OPEN = (C.IN_NOTICE, C.LISTED, C.DISPUTED)
#: Each bucket's label, a catalogue text (a page shows it in its language).
BUCKETS = (N_("0–30 days"), N_("31–60 days"), N_("61–90 days"), N_("90+ days"))  # noqa: RUF001 (a range)


@dataclass(frozen=True)
class StatusLine:
    status: str
    count: int
    paise: int


@dataclass(frozen=True)
class Bucket:
    label: str
    invoices: int
    paise: int


@dataclass(frozen=True)
class Overview:
    reported_paise: int
    recovered_paise: int
    outstanding_paise: int
    complaints: int
    statuses: list[StatusLine]
    ageing: list[Bucket]
    #: Withdrawn complaints, counted in none of the figures above.
    withdrawn: int = 0

    @property
    def recovery_percent(self) -> int:
        owed = self.recovered_paise + self.outstanding_paise
        return round(100 * self.recovered_paise / owed) if owed else 0


def overview(session: Session, member_id: int, today: date | None = None) -> Overview:
    today = today or date.today()
    rows = session.execute(
        select(
            Complaint.status,
            func.count(),
            func.coalesce(func.sum(Complaint.amount_outstanding_paise), 0),
        )
        .where(Complaint.member_id == member_id)
        .group_by(Complaint.status)
    ).all()
    found = {status: (count, int(paise)) for status, count, paise in rows}
    counted = {status: figures for status, figures in found.items() if status is not C.WITHDRAWN}
    statuses = [
        StatusLine(s.value, *counted.get(s, (0, 0)))
        for s in ComplaintStatus
        if s not in (C.FILED, C.WITHDRAWN)
    ]
    return Overview(
        reported_paise=sum(p for _, p in counted.values()),
        recovered_paise=found.get(C.SETTLED, (0, 0))[1],
        outstanding_paise=sum(found.get(s, (0, 0))[1] for s in OPEN),
        complaints=sum(count for count, _ in counted.values()),
        statuses=statuses,
        ageing=ageing(session, member_id, today),
        withdrawn=found.get(C.WITHDRAWN, (0, 0))[0],
    )


def ageing(session: Session, member_id: int, today: date) -> list[Bucket]:
    """Unpaid invoice amounts of open complaints in 0-30, 31-60, 61-90 and 90+ days
    past due (an invoice due today or later counts in the first bucket)."""
    bucket = case(
        (Invoice.due_date >= today - timedelta(days=30), 0),
        (Invoice.due_date >= today - timedelta(days=60), 1),
        (Invoice.due_date >= today - timedelta(days=90), 2),
        else_=3,
    )
    rows = session.execute(
        select(bucket, func.count(), func.sum(Invoice.amount_paise - Invoice.paid_paise))
        .join(Complaint, Complaint.id == Invoice.complaint_id)
        .where(Complaint.member_id == member_id, Complaint.status.in_(OPEN))
        .group_by(bucket)
    ).all()
    found = {int(b): (count, int(paise or 0)) for b, count, paise in rows}
    return [Bucket(label, *found.get(i, (0, 0))) for i, label in enumerate(BUCKETS)]


def complaints_for(member_id: int, status: ComplaintStatus | None = None) -> Select[Complaint]:
    """The member's complaints, newest first, optionally in one state (for a paged list)."""
    query = (
        select(Complaint)
        .where(Complaint.member_id == member_id)
        .options(selectinload(Complaint.business))
        .order_by(Complaint.id.desc())
    )
    if status is not None:
        query = query.where(Complaint.status == status)
    return query


EXPORT_COLUMNS = (
    "complaint_id",
    "status",
    "debtor",
    "gstins",
    "pan",
    "city",
    "state",
    "invoices",
    "invoice_numbers",
    "oldest_due_date",
    "amount_outstanding_inr",
    "filed_on",
    "notice_ends_on",
    "listed_on",
    "closed_on",
    "promised_payment_date",
)


def _cell(value: object) -> str:
    """A cell as text, defused: a spreadsheet must not run a name as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def export_lines(session: Session, member_id: int, code: str = language.SOURCE) -> Iterator[str]:
    """The member's complaints as CSV lines (header first), oldest first: states in words
    and dates as "4 Dec 2026" (Indian dates) in the reader's language `code`; the header
    keeps its column names, which spreadsheets and scripts key on."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Sequence[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(c) for c in cells])
        return buffer.getvalue()

    yield line(EXPORT_COLUMNS)
    query = (
        select(Complaint)
        .where(Complaint.member_id == member_id)
        .options(
            selectinload(Complaint.invoices),
            selectinload(Complaint.business).selectinload(Business.gstins),
        )
        .order_by(Complaint.id)
        .execution_options(yield_per=500)
    )
    for complaint in session.scalars(query):
        business = complaint.business
        invoices = complaint.invoices
        yield line(
            [
                complaint.id,
                language.words(complaint.status, code),
                business.name,
                " ".join(g.gstin for g in business.gstins),
                business.pan,
                business.city,
                business.state,
                len(invoices),
                "; ".join(i.number for i in invoices),
                language.day(min((i.due_date for i in invoices), default=None), code),
                f"{complaint.amount_outstanding_paise / 100:.2f}",
                language.day(complaint.created_at, code),
                language.day(complaint.notice_ends_at, code),
                language.day(complaint.listed_at, code),
                language.day(complaint.closed_at, code),
                language.day(complaint.promised_payment_date, code),
            ]
        )
