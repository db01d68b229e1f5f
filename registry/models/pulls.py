"""Who looked: every unlock and every read of a credit report, and each report version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, utcnow

#: The only purpose a member may pull a report for (the terms of membership).
CREDIT_DECISION = "credit decision"


class ReportPull(Base):
    """One unlock (a paid order) or one read (API, portal page, PDF) of a report."""

    __tablename__ = "report_pulls"
    __table_args__ = (Index("ix_report_pulls_business_at", "business_id", "pulled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("report_orders.id"))
    kind: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(40), default=CREDIT_DECISION)
    pulled_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Whether this pull sent the business an alert (at most one per enquirer a day).
    alerted: Mapped[bool] = mapped_column(default=False)


class ReportVersion(Base):
    """One generation of a paid report: its fingerprint (what it says, not when) and the
    verification code printed on its PDF."""

    __tablename__ = "report_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("report_orders.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    fingerprint: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
