"""GST tax invoices and credit notes for report orders, numbered in one series per kind
and financial year."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, enum_column, utcnow
from registry.models.payments import ReportOrder


class TaxDocumentKind(enum.Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class TaxDocument(Base):
    """One tax invoice (issued when an order is paid) or credit note (when it is refunded).
    What must never change once issued is kept here: the number, the date, the amount and
    the buyer as it stood; the split of the tax follows from the buyer's GSTIN and the
    registry's own (`REGISTRY_GSTIN`)."""

    __tablename__ = "tax_documents"
    __table_args__ = (
        UniqueConstraint("kind", "financial_year", "number"),
        UniqueConstraint("order_id", "kind"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("amount_paise > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("report_orders.id"), index=True)
    kind: Mapped[TaxDocumentKind] = mapped_column(enum_column(TaxDocumentKind))
    financial_year: Mapped[str] = mapped_column(String(7))  # "2026-27"
    number: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    amount_paise: Mapped[int]
    buyer_name: Mapped[str] = mapped_column(String(300))
    buyer_gstin: Mapped[str] = mapped_column(String(15))

    order: Mapped[ReportOrder] = relationship()


class TaxDocumentSeries(Base):
    """The last number used in each series: raising it is one UPDATE, so two payments at
    once get two numbers and a rolled-back payment leaves no gap."""

    __tablename__ = "tax_document_series"

    kind: Mapped[TaxDocumentKind] = mapped_column(enum_column(TaxDocumentKind), primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
