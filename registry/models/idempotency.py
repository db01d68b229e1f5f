"""What a member's request answered, kept under the key it was sent with, so that the
same request sent again answers the same and does nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, utcnow


class IdempotentRequest(Base):
    """One member's request under one key in one place (`scope`: the API route, or a
    portal form). Written in the request's own transaction before it acts, so a second
    request with the key waits on the unique constraint and then answers what the first
    one stored; an answer of 400 or more is never stored (nothing was done)."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("member_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    scope: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
