"""The score's history: what the score would have read at the end of each of the last
twelve months, and today, computed from the complaints' own dates.

A complaint counts at a past date the way it counts today: from the day it was listed; as
open (listed or disputed) until it was settled, and as settled afterwards for five years.
Removed complaints never count, not even for the months before the registry removed them
(the dispute showed they should not have been listed), and withdrawn ones never do.
Invoices age to that date (or to the settlement, if earlier). The registry keeps no dated
record of part payments, so an open complaint's outstanding amount is today's figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TypedDict

from registry.models import Complaint, ComplaintStatus
from registry.models.complaints import SETTLED_SHOWN_FOR
from registry.reports import scoring

#: Month-ends before today in the series (plus today itself).
MONTHS = 12


class HistoryPoint(TypedDict):
    on: str
    value: int
    grade: str


def month_ends(today: date, months: int = MONTHS) -> list[date]:
    """The last day of each of the `months` months before today's, oldest first, then
    today."""
    ends: list[date] = []
    end = today.replace(day=1) - timedelta(days=1)
    for _ in range(months):
        ends.append(end)
        end = end.replace(day=1) - timedelta(days=1)
    return [*reversed(ends), today]


def _claim_on(complaint: Complaint, on: date) -> scoring.Claim | None:
    if complaint.listed_at is None or complaint.status in (
        ComplaintStatus.REMOVED,
        ComplaintStatus.WITHDRAWN,
    ):
        return None
    listed = complaint.listed_at.date()
    if listed > on:
        return None
    settled_on = (
        complaint.closed_at.date()
        if complaint.status is ComplaintStatus.SETTLED and complaint.closed_at is not None
        else None
    )
    settled = settled_on is not None and settled_on <= on
    if settled and settled_on is not None and on - settled_on > SETTLED_SHOWN_FOR:
        return None
    until = settled_on if settled and settled_on is not None else on
    weight = sum(max(invoice.amount_paise, 1) for invoice in complaint.invoices) or 1
    days = (
        sum(
            max(invoice.amount_paise, 1) * max(0, (until - invoice.due_date).days)
            for invoice in complaint.invoices
        )
        / weight
    )
    if settled:
        outstanding = 0
    elif complaint.status is ComplaintStatus.SETTLED:
        # open then, settled since: what its invoices said was unpaid
        outstanding = sum(
            max(0, invoice.amount_paise - invoice.paid_paise) for invoice in complaint.invoices
        )
    else:
        outstanding = complaint.amount_outstanding_paise
    return scoring.Claim(
        reporter=complaint.member_id,
        status="settled" if settled else "listed",
        amount_paise=sum(invoice.amount_paise for invoice in complaint.invoices),
        outstanding_paise=outstanding,
        days_beyond_terms=days,
        reported_on=listed,
    )


def score_history(complaints: Sequence[Complaint], now: datetime) -> list[HistoryPoint]:
    """The series, oldest first; the last point is today's score."""
    points: list[HistoryPoint] = []
    for on in month_ends(now.date()):
        claims = [claim for c in complaints if (claim := _claim_on(c, on)) is not None]
        result = scoring.score(claims, on)
        points.append({"on": on.isoformat(), "value": result.value, "grade": result.grade})
    return points
