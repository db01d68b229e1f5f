"""Claims: a business proving it speaks for itself, and the tokens a verified claim gives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, utcnow
from registry.models.businesses import Business


class BusinessClaim(Base):
    """One attempt to claim a business: a one-time code sent to a contact on record from
    an authoritative source (only its keyed hash is kept), or GST registration documents
    for an admin to review. Status: pending, verified, ended (expired or too many wrong
    codes), approved, rejected."""

    __tablename__ = "business_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    method: Mapped[str] = mapped_column(String(16), default="code")
    channel: Mapped[str | None] = mapped_column(String(16))
    sent_to: Mapped[str | None] = mapped_column(String(254))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    claimant_email: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(String(2000))
    #: With method "documents": the GST registration certificate (REG-06) uploaded.
    document_name: Mapped[str | None] = mapped_column(String(255))
    document_stored: Mapped[str | None] = mapped_column(String(80))
    document_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    business: Mapped[Business] = relationship()


class BusinessToken(Base):
    """A bearer token for a claimed business's own routes; only its SHA-256 is stored."""

    __tablename__ = "business_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("business_claims.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    business: Mapped[Business] = relationship()
