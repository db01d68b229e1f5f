"""GST tax invoices and credit notes for paid report orders.

A member buying a report needs a tax invoice to claim its input tax credit. One is issued
in the same transaction that unlocks the report (fulfilment's charge), and a credit note in
the one that records a full refund; each is numbered in one series per kind and financial
year (April to March), so the numbers of a year run 1, 2, 3 with no gaps: a rolled-back
payment takes its number back with it.

The configured report price includes GST at 18%. The taxable value is the price divided
by 1.18, rounded to the paisa, and the tax is the rest, so the parts always add up to what
was paid. The place of supply is the buyer's state (the first two digits of its GSTIN):
within the registry's own state the tax is split as CGST and SGST (9% + 9%, the odd
paisa to SGST), across states it is IGST.

Services are classified under SAC 998591, "credit reporting and rating services".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from num2words import num2words
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.language import INDIA
from registry.models import (
    Member,
    ReportOrder,
    TaxDocument,
    TaxDocumentKind,
    TaxDocumentSeries,
)
from registry.models.base import financial_year

SAC = "998591"
SAC_DESCRIPTION = "Credit reporting and rating services"
GST_RATE = Decimal("0.18")
PREFIX = {TaxDocumentKind.INVOICE: "KR", TaxDocumentKind.CREDIT_NOTE: "CN"}


def document_number(document: TaxDocument) -> str:
    """As printed: KR/26-27/000042 (an invoice) or CN/26-27/000003 (a credit note), at
    most the 16 characters GST rules allow."""
    year = document.financial_year[2:]
    return f"{PREFIX[document.kind]}/{year}/{document.number:06d}"


@dataclass(frozen=True)
class Taxes:
    """The figures of one document, in paise; `taxable + cgst + sgst + igst == total`."""

    total: int
    taxable: int
    cgst: int
    sgst: int
    igst: int

    @property
    def tax(self) -> int:
        return self.cgst + self.sgst + self.igst

    @property
    def intra_state(self) -> bool:
        return self.igst == 0 and self.tax > 0


def state_code(gstin: str) -> str:
    return gstin[:2]


def taxes(total_paise: int, seller_gstin: str, buyer_gstin: str) -> Taxes:
    """Split a GST-inclusive total into taxable value and tax, by place of supply."""
    taxable = int(
        (Decimal(total_paise) / (1 + GST_RATE)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    tax = total_paise - taxable
    if state_code(seller_gstin) == state_code(buyer_gstin):
        cgst = tax // 2
        return Taxes(total_paise, taxable, cgst, tax - cgst, 0)
    return Taxes(total_paise, taxable, 0, 0, tax)


def amount_in_words(paise: int) -> str:
    """Rupees in Indian words (lakh, crore): 2,39,500.50 → "Rupees Two Lakh Thirty-Nine
    Thousand Five Hundred and Fifty Paise Only"."""
    rupees, rest = divmod(paise, 100)
    words = f"Rupees {_words(rupees)}"
    if rest:
        words += f" and {_words(rest)} Paise"
    return f"{words} Only"


def _words(number: int) -> str:
    text = num2words(number, lang="en_IN").replace(",", "").replace(" and ", " ")
    return " ".join(
        "-".join(part.capitalize() for part in word.split("-")) for word in text.split()
    )


def issue(session: Session, order: ReportOrder, kind: TaxDocumentKind, at: datetime) -> TaxDocument:
    """The order's invoice (or credit note), issued now with the next number of its series;
    the one already issued when there is one (an order has at most one of each kind)."""
    existing = session.scalar(
        select(TaxDocument).where(TaxDocument.order_id == order.id, TaxDocument.kind == kind)
    )
    if existing is not None:
        return existing
    year = financial_year(_indian_day(at))
    member = session.get(Member, order.member_id)
    assert member is not None  # an order's member is never deleted (foreign key)
    document = TaxDocument(
        order_id=order.id,
        kind=kind,
        financial_year=year,
        number=_next_number(session, kind, year),
        issued_at=at,
        amount_paise=order.amount_paise,
        buyer_name=member.name,
        buyer_gstin=member.gstin,
    )
    session.add(document)
    session.flush()
    return document


def _indian_day(at: datetime) -> date:
    return at.astimezone(ZoneInfo(INDIA)).date() if at.tzinfo else at.date()


def _next_number(session: Session, kind: TaxDocumentKind, year: str) -> int:
    """Raise the series' counter by one and return it. The UPDATE holds the row until the
    transaction ends, so concurrent payments queue for numbers instead of sharing one."""
    for _ in range(2):
        number = session.execute(
            update(TaxDocumentSeries)
            .where(TaxDocumentSeries.kind == kind, TaxDocumentSeries.financial_year == year)
            .values(last_number=TaxDocumentSeries.last_number + 1)
            .returning(TaxDocumentSeries.last_number)
            .execution_options(synchronize_session=False)
        ).scalar()
        if number is not None:
            return int(number)
        try:
            with session.begin_nested():
                session.add(TaxDocumentSeries(kind=kind, financial_year=year, last_number=0))
        except IntegrityError:
            pass  # another payment opened the year's series meanwhile: use it
    raise RuntimeError(f"could not number a {kind.value} in {year}")


def documents_of(session: Session, order_id: int) -> list[TaxDocument]:
    """The order's invoice, then its credit note if it was refunded."""
    return list(
        session.scalars(
            select(TaxDocument).where(TaxDocument.order_id == order_id).order_by(TaxDocument.id)
        )
    )
