"""Businesses: the reported and searched parties, their GSTINs and the names they go by."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, bytewise, utcnow

if TYPE_CHECKING:
    from registry.models.complaints import Complaint


class Business(Base):
    """One real business. A merged business keeps its row and points at the survivor, so
    old ids keep answering."""

    __tablename__ = "businesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    pan: Mapped[str | None] = mapped_column(String(10), index=True)
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    #: The business's own contacts, from an authoritative source only (`contacts_source`:
    #: "import" for a directory load, "business" once it claimed its profile); never from
    #: a filing: a reporter's contacts stay on its complaint.
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(16))
    contacts_source: Mapped[str | None] = mapped_column(String(16))
    claimed_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    gstins: Mapped[list[BusinessGstin]] = relationship(
        back_populates="business", order_by="BusinessGstin.gstin"
    )
    aliases: Mapped[list[BusinessAlias]] = relationship(back_populates="business")
    complaints: Mapped[list[Complaint]] = relationship(back_populates="business")


class BusinessGstin(Base):
    __tablename__ = "business_gstins"

    id: Mapped[int] = mapped_column(primary_key=True)
    gstin: Mapped[str] = mapped_column(bytewise(15), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)

    business: Mapped[Business] = relationship(back_populates="gstins")

    @classmethod
    def pan_part(cls) -> Any:
        """The PAN inside the GSTIN (its characters 3 to 12) as `ix_business_gstins_pan`
        indexes it: the same expression with the same constants written out, so that
        PostgreSQL and SQLite use the index (bound parameters would not match it)."""
        return func.substr(cls.gstin, literal_column("3"), literal_column("10"))


# The PAN inside each GSTIN, so one legal entity's GSTINs are found by an index look-up,
# not by reading every GSTIN with LIKE '__<PAN>%'.
Index("ix_business_gstins_pan", BusinessGstin.pan_part())


class BusinessAlias(Base):
    """Another spelling that points at a business, with where it came from (`source`):
    `import`, `filing_identified`, `filing_matched`, `admin`, `merge`, or
    `filing_unjudged` for a name a filing gave before names had provenance, until
    `registry.directory.aliases.rejudge` has held it to today's rule."""

    __tablename__ = "business_aliases"
    __table_args__ = (UniqueConstraint("business_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    business: Mapped[Business] = relationship(back_populates="aliases")


class PanHolder(Base):
    """The one business a PAN created through filing belongs to: a filing that finds no
    business with its PAN creates one and claims the PAN here, in the same savepoint, so
    filings racing with GSTINs of one new PAN wait on this key and the later ones join
    the first one's business instead of creating another."""

    __tablename__ = "pan_holders"

    pan: Mapped[str] = mapped_column(String(10), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
