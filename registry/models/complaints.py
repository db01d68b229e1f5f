"""Complaints: a member's claim that a business owes it money, with invoices, evidence
and disputes."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, enum_column, financial_year, utcnow
from registry.models.businesses import Business
from registry.models.members import Member


class ComplaintStatus(enum.Enum):
    FILED = "filed"
    IN_NOTICE = "in_notice"
    LISTED = "listed"
    DISPUTED = "disputed"
    SETTLED = "settled"
    REMOVED = "removed"
    WITHDRAWN = "withdrawn"


class DisputeReason(enum.Enum):
    ALREADY_PAID = "already_paid"
    NOT_DELIVERED = "not_delivered"
    WRONG_AMOUNT = "wrong_amount"
    NOT_OUR_BUSINESS = "not_our_business"
    OTHER = "other"


class DisputeStatus(enum.Enum):
    OPEN = "open"
    UPHELD = "upheld"
    REJECTED = "rejected"
    #: Decided: part of the claim stands (`corrected_to_paise`), the rest does not.
    CORRECTED = "corrected"
    #: Ended without a decision: the member settled the complaint while it was disputed.
    CLOSED = "closed"


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("amount_outstanding_paise >= 0", name="outstanding_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[ComplaintStatus] = mapped_column(
        enum_column(ComplaintStatus), default=ComplaintStatus.FILED, index=True
    )
    amount_outstanding_paise: Mapped[int] = mapped_column(default=0)
    #: Contacts the reporter gave with this complaint: they reach this complaint's notice
    #: only ("given by the reporter"), never another complaint's.
    debtor_email: Mapped[str | None] = mapped_column(String(254))
    #: E.164 (+91...), given by the reporter for this complaint only: SMS and WhatsApp.
    debtor_mobile: Mapped[str | None] = mapped_column(String(16))
    #: The debtor's name as the reporter typed it. It becomes a search name of the business
    #: only when the filing identified the business or the spelling is close to its names;
    #: otherwise it stays here, and an admin may add it (`businesses.add_alias`, "admin").
    debtor_name_as_reported: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    notice_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    notice_nonce: Mapped[str | None] = mapped_column(String(32))
    notice_expires_at: Mapped[datetime | None]
    notice_sent_at: Mapped[datetime | None]
    notice_ends_at: Mapped[datetime | None] = mapped_column(index=True)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    #: When the debtor's next reminder is due while the complaint is in notice (None: no
    #: reminder waits), kept by `life.transition` and the reminders themselves
    #: (`registry.complaints.notices.reminders.schedule`): a worker round reads the due
    #: ones through its index, not every complaint in notice.
    next_reminder_at: Mapped[datetime | None] = mapped_column(index=True)
    promised_payment_date: Mapped[date | None]
    listed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: When retention erased its personal data (withdrawn or removed, a year on).
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(back_populates="complaints")
    business: Mapped[Business] = relationship(back_populates="complaints")
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="complaint", order_by="Invoice.due_date"
    )
    evidence: Mapped[list[EvidenceFile]] = relationship(back_populates="complaint")
    disputes: Mapped[list[Dispute]] = relationship(
        back_populates="complaint", order_by="Dispute.opened_at"
    )


def _financial_year_of_row(context: Any) -> str:
    invoice_date: date = context.get_current_parameters()["invoice_date"]
    return financial_year(invoice_date)


class Invoice(Base):
    """One unpaid invoice. `number_key` is the number as compared (case and spacing
    ignored), unique per member and financial year (April to March, by `invoice_date`)
    whichever debtor it names, as GST invoice numbering is: the same invoice cannot be
    filed twice, against one debtor or two, even by two requests at once."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("member_id", "financial_year", "number_key"),
        CheckConstraint("amount_paise > 0", name="amount_positive"),
        CheckConstraint("paid_paise >= 0", name="paid_not_negative"),
        CheckConstraint("paid_paise <= amount_paise", name="paid_within_amount"),
        CheckConstraint("due_date >= invoice_date", name="due_after_invoice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    number_key: Mapped[str] = mapped_column(String(64))
    invoice_date: Mapped[date]
    #: "2026-27": the financial year of `invoice_date`, set from it when not given.
    financial_year: Mapped[str] = mapped_column(String(7), default=_financial_year_of_row)
    due_date: Mapped[date]
    amount_paise: Mapped[int]
    paid_paise: Mapped[int] = mapped_column(default=0)

    complaint: Mapped[Complaint] = relationship(back_populates="invoices")

    @property
    def outstanding_paise(self) -> int:
        return self.amount_paise - self.paid_paise


class Dispute(Base):
    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    reason: Mapped[DisputeReason] = mapped_column(enum_column(DisputeReason))
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[DisputeStatus] = mapped_column(
        enum_column(DisputeStatus), default=DisputeStatus.OPEN, index=True
    )
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    overdue_notified_at: Mapped[datetime | None]
    #: How many of the admins' reminders (day 20, day 28) the worker has sent.
    clock_reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    #: A corrected decision keeps both figures: what was claimed, and what stands.
    corrected_from_paise: Mapped[int | None]
    corrected_to_paise: Mapped[int | None]

    complaint: Mapped[Complaint] = relationship(back_populates="disputes")
    evidence: Mapped[list[EvidenceFile]] = relationship(back_populates="dispute")


class EvidenceFile(Base):
    """An uploaded document, stored outside any public path under a random name."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint(
            "complaint_id IS NOT NULL OR dispute_id IS NOT NULL", name="attached_somewhere"
        ),
        CheckConstraint("size_bytes > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint | None] = relationship(back_populates="evidence")
    dispute: Mapped[Dispute | None] = relationship(back_populates="evidence")


# Visibility: which complaints other members see (search, reports, watches all ask here).

#: How long a settled complaint stays in the history (a good sign for the debtor).
SETTLED_SHOWN_FOR = timedelta(days=5 * 365)

#: States in which other members can see the complaint, once it has been listed.
VISIBLE = frozenset({ComplaintStatus.LISTED, ComplaintStatus.DISPUTED, ComplaintStatus.SETTLED})


def shown_to_others(complaint: Complaint) -> bool:
    """Whether other members can see the complaint (PRODUCT.md: only once it is listed).
    One disputed or settled within its notice period was never listed and stays private,
    as its notice promises the debtor."""
    return complaint.listed_at is not None and complaint.status in VISIBLE


def shown_to_others_clause(settled_since: Any = None) -> ColumnElement[bool]:
    """`shown_to_others` as a condition on `Complaint` rows; with `settled_since` (a time
    or a bind parameter), without complaints settled before it."""
    shown = and_(Complaint.listed_at.is_not(None), Complaint.status.in_(VISIBLE))
    if settled_since is None:
        return shown
    settled_at = func.coalesce(Complaint.closed_at, Complaint.created_at)
    return and_(
        shown, or_(Complaint.status != ComplaintStatus.SETTLED, settled_at >= settled_since)
    )


def settled_shown_since(now: datetime | None = None) -> datetime:
    """The oldest settlement still in the history (PRODUCT.md: five years)."""
    return (now or utcnow()) - SETTLED_SHOWN_FOR
