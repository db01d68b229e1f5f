"""The search index and the duplicate queue, kept in the database so that every web
worker and the CLI share them and they survive restarts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, bytewise, enum_column, utcnow


class BusinessKey(Base):
    """One blocking key of one of a business's names (its own or an alias)."""

    __tablename__ = "business_keys"
    __table_args__ = (
        Index("ix_business_keys_business_id", "business_id"),
        # Covers both look-ups a search makes (a key's ids, and those within a city), so
        # PostgreSQL answers them from the index alone once the table is vacuumed.
        Index("ix_business_keys_key_city", "key", "city", "business_id"),
    )

    key: Mapped[str] = mapped_column(bytewise(128), primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("businesses.id", ondelete="CASCADE"), primary_key=True
    )
    #: The business's city as the matcher compares it, so a search can favour hits there.
    city: Mapped[str | None] = mapped_column(bytewise(100))


class NameVocabulary(Base):
    """Spelling variants (deletions, consonant skeleton) of every word in the directory,
    as written and as folded, so a misspelt query word finds the real one."""

    __tablename__ = "name_vocabulary"

    variant: Mapped[str] = mapped_column(bytewise(64), primary_key=True)
    spelling: Mapped[str] = mapped_column(bytewise(64), primary_key=True)
    token: Mapped[str] = mapped_column(bytewise(64), primary_key=True)


class NormalNameRecord(Base):
    """A name as `matching.normalise` reads it, stored when the name is indexed, so a search
    decodes its candidates' names instead of normalising them again. Keyed by the text as
    written and the normaliser's version: a business renamed or merged simply finds (or
    misses) another row, and rows of an older version are ignored."""

    __tablename__ = "normal_names"
    # On PostgreSQL the key carries the encoding: a search's look-ups read the index alone.
    __table_args__ = (PrimaryKeyConstraint("name", "version", postgresql_include=["encoded"]),)

    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column()
    encoded: Mapped[str] = mapped_column(Text)


class NameTokenStat(Base):
    """How many businesses' names hold a (folded) word: rare words weigh more."""

    __tablename__ = "name_token_stats"

    token: Mapped[str] = mapped_column(bytewise(64), primary_key=True)
    doc_freq: Mapped[int] = mapped_column(default=0)


class PairStatus(enum.Enum):
    OPEN = "open"
    MERGED = "merged"
    DISMISSED = "dismissed"


class DuplicatePair(Base):
    """A probable duplicate proposed by `registry find-duplicates`, for an admin to decide."""

    __tablename__ = "duplicate_pairs"
    __table_args__ = (
        UniqueConstraint("a_id", "b_id"),
        CheckConstraint("a_id < b_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"))
    b_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    score: Mapped[float]
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[PairStatus] = mapped_column(
        enum_column(PairStatus), default=PairStatus.OPEN, index=True
    )
    found_at: Mapped[datetime] = mapped_column(default=utcnow)


class BusinessMerge(Base):
    """A merge of `merged_id` into `kept_id`, with what moved, so it can be undone."""

    __tablename__ = "business_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    moved: Mapped[str] = mapped_column(Text, default="{}")
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    merged_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[datetime | None]


class SearchIndexState(Base):
    """One row: the index's generation, raised by every transaction that changes the
    index (it holds the row's lock until it commits, so generations become visible in
    order), the random stamp of that generation, and the oldest generation whose changes
    are still listed."""

    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
    kept_from: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Drawn afresh with each generation: after a restore, the same generation number
    #: reached again carries another stamp, so a copy of the index that saw the lost one
    #: knows it is not the same.
    stamp: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class SearchIndexChange(Base):
    """A business whose index rows changed in a generation (business 0: all of them, as
    after an import or a reindex). Web workers that keep a copy of the index in memory
    read these to bring it up to date (`registry.search_index.memory_copy`)."""

    __tablename__ = "search_index_changes"
    __table_args__ = (PrimaryKeyConstraint("generation", "business_id"),)

    generation: Mapped[int] = mapped_column(BigInteger)
    business_id: Mapped[int] = mapped_column()
    #: the stamp of this generation (`SearchIndexState.stamp`)
    stamp: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
