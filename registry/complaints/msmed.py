"""Interest a micro or small supplier may claim under the MSMED Act, 2006.

Section 15: the buyer must pay by the agreed date, and the agreed period may not exceed
45 days from acceptance of the goods or services (here: the invoice date). Section 16:
past that day the buyer owes compound interest with monthly rests at three times the bank
rate notified by the Reserve Bank.

How we count (documented, so a debtor can check it): interest runs from the day after the
appointed day (the due date, or invoice date + 45 days if that is earlier) up to and
including `on`. Whole months compound at `3 * bank rate / 12` each; the days left over
after the last whole month earn simple interest pro rata (days / 30) on the compounded
amount. Amounts are in paise, rounded half up to a whole paisa at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from registry.models import Complaint, MsmeCategory
from registry.settings import Settings

MAX_AGREED_DAYS = 45


def appointed_day(invoice_date: date, due_date: date) -> date:
    """The last day the buyer may pay without interest."""
    return min(due_date, invoice_date + timedelta(days=MAX_AGREED_DAYS))


def interest_paise(
    outstanding_paise: int, invoice_date: date, due_date: date, on: date, bank_rate_percent: Decimal
) -> int:
    """MSMED Act s.16 interest owed on `on` for `outstanding_paise` unpaid."""
    if outstanding_paise <= 0 or bank_rate_percent <= 0:
        return 0
    start = appointed_day(invoice_date, due_date)
    if on <= start:
        return 0
    delta = relativedelta(on, start)
    months = delta.years * 12 + delta.months
    after_months = start + relativedelta(months=months)
    days = (on - after_months).days
    monthly = Decimal(3) * bank_rate_percent / Decimal(1200)
    principal = Decimal(outstanding_paise)
    grown = principal * (1 + monthly) ** months
    grown *= 1 + monthly * Decimal(days) / Decimal(30)
    return int((grown - principal).quantize(Decimal(1), rounding=ROUND_HALF_UP))


MSME_ENTITLED = frozenset({MsmeCategory.MICRO, MsmeCategory.SMALL})


@dataclass(frozen=True)
class InvoiceInterest:
    number: str
    outstanding_paise: int
    interest_paise: int


def msmed_interest(
    settings: Settings, complaint: Complaint, on: date
) -> list[InvoiceInterest] | None:
    """Interest per invoice when the supplier is micro or small; None otherwise."""
    if complaint.member.msme_category not in MSME_ENTITLED:
        return None
    return [
        InvoiceInterest(
            inv.number,
            inv.outstanding_paise,
            interest_paise(
                inv.outstanding_paise,
                inv.invoice_date,
                inv.due_date,
                on,
                settings.msme_bank_rate_percent,
            ),
        )
        for inv in complaint.invoices
    ]
