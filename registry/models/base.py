"""Declarative base, naming convention and the column types every model shares."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def financial_year(day: date) -> str:
    """India's financial year of a day: 4 Dec 2026 and 31 Mar 2027 are in "2026-27"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use registry.models.base.utcnow()")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def bytewise(length: int) -> TypeEngine[str]:
    """A string of up to `length` characters compared byte by byte (collation "C" on
    PostgreSQL; SQLite compares so anyway): for the search index's keys and words, and
    identifiers, which are only ever looked up, never put in a reader's order. A
    language's collation costs every comparison a locale-aware one: building the key
    table's indexes after a million businesses are imported took 20 s instead of 16.7
    with C.UTF-8 on PostgreSQL 15, and more with the `en_US` locales servers often have.
    Compare such a column only with values or with another bytewise column: PostgreSQL
    refuses `=` between two columns of different collations."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """Enums are stored by value as short strings, checked by the database."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        name=enum_class.__name__.lower(),
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}
