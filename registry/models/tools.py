"""Members' own tools: bulk imports of overdue invoices, the column mapping each member
last used, and the in-portal alerts of its watchlist."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, enum_column, utcnow


class ImportStatus(enum.Enum):
    UPLOADED = "uploaded"
    FILING = "filing"
    DONE = "done"
    CANCELLED = "cancelled"


class ImportBatch(Base):
    """One uploaded CSV, kept server-side between the upload, the preview and the filing:
    the browser never sends row data back. `plan` is the preview as last computed,
    `cursor` how many of its complaints have been filed (advanced compare-and-set, so two
    requests never file the same complaint)."""

    __tablename__ = "import_batches"
    __table_args__ = (
        CheckConstraint("cursor >= 0", name="cursor_not_negative"),
        Index("ix_import_batches_member_created", "member_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus), default=ImportStatus.UPLOADED
    )
    dialect: Mapped[str] = mapped_column(String(40))
    headers: Mapped[str] = mapped_column(Text)
    rows: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int]
    mapping: Mapped[str] = mapped_column(Text, default="{}")
    documents: Mapped[str] = mapped_column(Text, default="[]")
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    plan: Mapped[str | None] = mapped_column(Text)
    results: Mapped[str] = mapped_column(Text, default="[]")
    cursor: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    filed: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ColumnMapping(Base):
    """Which CSV column holds which field, as the member last mapped it (by header)."""

    __tablename__ = "column_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    mapping: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """An in-portal alert for a member (its watchlist); read by any of its users."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_member_unread", "member_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
