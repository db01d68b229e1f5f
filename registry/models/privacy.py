"""Requests from people and businesses about the data the registry holds on them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, enum_column, utcnow


class PrivacyRequestKind(enum.Enum):
    ACCESS = "access"
    CORRECTION = "correction"
    ERASURE = "erasure"


class PrivacyRequestStatus(enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"


class PrivacyRequest(Base):
    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PrivacyRequestKind] = mapped_column(enum_column(PrivacyRequestKind))
    email: Mapped[str] = mapped_column(String(254))
    details: Mapped[str] = mapped_column(Text)
    status: Mapped[PrivacyRequestStatus] = mapped_column(
        enum_column(PrivacyRequestStatus), default=PrivacyRequestStatus.OPEN, index=True
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    #: The escalation emails already sent (30 days left; overdue).
    reminded_at: Mapped[datetime | None]
    overdue_notified_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(Text)
