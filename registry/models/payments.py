"""Report orders and the gateway events that move them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, enum_column, utcnow


class OrderStatus(enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"
    EXPIRED = "expired"
    #: The gateway declined a payment attempt; the checkout stays open for another try.
    FAILED = "failed"


class ReportOrder(Base):
    __tablename__ = "report_orders"
    __table_args__ = (
        CheckConstraint("amount_paise > 0", name="amount_positive"),
        CheckConstraint("currency = 'INR'", name="rupees_only"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(
        enum_column(OrderStatus), default=OrderStatus.PENDING, index=True
    )
    amount_paise: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="INR")
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]


class GatewayEvent(Base):
    """Every event the gateway sent, stored by its id so a redelivery is handled once."""

    __tablename__ = "gateway_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("report_orders.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(100))


class LedgerKind(enum.Enum):
    CHARGE = "charge"
    REFUND = "refund"


class PaymentLedger(Base):
    """Money that moved through the gateway for an order: one charge, at most one refund.

    The unique (order_id, kind) pair is the database's guarantee that however many times
    the gateway tells us about a payment, the books show it once."""

    __tablename__ = "payment_ledger"
    __table_args__ = (
        UniqueConstraint("order_id", "kind"),
        CheckConstraint("amount_paise > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("report_orders.id"))
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind))
    amount_paise: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    gateway_reference: Mapped[str | None] = mapped_column(String(255))
    event_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
