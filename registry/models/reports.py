"""Credit reports as sold: a dated snapshot per paid order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, utcnow


class ReportSnapshot(Base):
    """The report as it stood when its order was paid. It is what the member reads for
    30 days, so a later change to the registry never alters a report already sold."""

    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("report_orders.id"), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The version it shows (`ReportVersion.version`); opening the current version free
    #: within the 30 days replaces the content and bumps this.
    version: Mapped[int] = mapped_column(default=1)
