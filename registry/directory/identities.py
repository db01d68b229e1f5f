"""What a search shows of the businesses it found: the statements that read them with the
complaints other members can see of each and their legal entity's GSTINs."""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from registry.db import DriverStatement, among
from registry.models import Business, BusinessGstin, Complaint, ComplaintStatus
from registry.models.complaints import shown_to_others_clause


class ShownBusiness(NamedTuple):
    """A business as a search result shows it: its identity, read as plain columns (a
    search has no use for the mapped `Business`, whose loading cost more than the
    statement's own work)."""

    id: int
    name: str
    pan: str | None
    city: str | None
    state: str | None
    merged_into_id: int | None


#: The columns of `ShownBusiness`, in its order.
IDENTITY = (
    Business.id,
    Business.name,
    Business.pan,
    Business.city,
    Business.state,
    Business.merged_into_id,
)


def shown(business: Business) -> ShownBusiness:
    """A mapped business's identity as a search shows it."""
    return ShownBusiness(*(getattr(business, column.key) for column in IDENTITY))


@cache
def shown_statement(name: str, dialect: str) -> Any:
    """The statements, built once per database kind, each taking what it looks for (ids as
    `values`, a `gstin` or a `pan`) and the oldest settlement still shown as
    `settled_since` (`registry.models.complaints.settled_shown_since()`). Each row is
    `ShownBusiness`'s columns, the complaints' `Counts`, then the GSTINs (see `gstins`)."""
    if name == "businesses_and_gstins":  # the businesses with these ids
        # their complaints counted in one pass over the ids' complaints, joined (three
        # subqueries per business cost the database three look-ups each)
        counted = _counted(dialect).subquery("counted")
        return (
            select(
                *IDENTITY,
                *(func.coalesce(counted.c[state.value], 0) for state in COUNTED),
                _gstins_of(Business, dialect),
            )
            .outerjoin(counted, counted.c.business_id == Business.id)
            .where(among(Business.id, "values", dialect))
        )
    if name == "by_gstin":  # the same of the business holding the GSTIN `gstin`
        # (an alias: the GSTINs' subqueries must not correlate to the table joined here)
        held = aliased(BusinessGstin)
        return (
            select(*_shown_columns(dialect))
            .join(held, held.business_id == Business.id)
            .where(held.gstin == bindparam("gstin"))
        )
    if name == "by_pan":  # the same of the live businesses holding the PAN `pan`
        return (
            select(*_shown_columns(dialect))
            .where(Business.pan == bindparam("pan"), Business.merged_into_id.is_(None))
            .order_by(Business.id)
        )
    if name == "counts":
        return _counted(dialect)
    raise KeyError(name)


#: What each of the statements a search reads (`shown_statement`'s) takes besides
#: `settled_since`.
_LOOKS_FOR = {"businesses_and_gstins": "values", "by_gstin": "gstin", "by_pan": "pan"}


@cache
def shown_reader(name: str, dialect: str) -> DriverStatement:
    """`shown_statement` run on the driver's cursor (`DriverStatement`): every search
    reads one. The businesses of a name search, ids in an array, with their generic plan:
    PostgreSQL kept planning it for each call's ids, though the plan was always the
    same (the GSTIN's and the PAN's turn generic of themselves)."""
    return DriverStatement(
        shown_statement(name, dialect),
        (_LOOKS_FOR[name], "settled_since"),
        generic_plan=name == "businesses_and_gstins",
    )


def _counted(dialect: str) -> Any:
    """Per business among the ids `values`, its complaints other members see, by state
    (`Counts`, one column per state named after it)."""
    return (
        select(Complaint.business_id, *(_sum_of(state).label(state.value) for state in COUNTED))
        .where(among(Complaint.business_id, "values", dialect), _shown())
        .group_by(Complaint.business_id)
    )


def _shown_columns(dialect: str) -> list[Any]:
    """A business as a search shows it (`ShownBusiness`), its complaints' counts
    (`Counts`) and its legal entity's GSTINs (see `gstins`)."""
    return [*IDENTITY, *_counts_of(Business), _gstins_of(Business, dialect)]


def _gstins_of(business: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return _legal_entity_gstins_of(business)
    return _legal_entity_gstins_text_of(business)


def _shown() -> Any:
    """Complaints other members see; the statements take `settled_since`
    (`registry.models.complaints.settled_shown_since()`)."""
    return shown_to_others_clause(bindparam("settled_since"))


#: What a search counts of a business's complaints other members see, by state (API.md:
#: `listed_complaints` counts the state listed only; disputed and settled apart).
COUNTED = (ComplaintStatus.LISTED, ComplaintStatus.DISPUTED, ComplaintStatus.SETTLED)


class Counts(NamedTuple):
    listed: int = 0
    disputed: int = 0
    settled: int = 0


def _sum_of(state: ComplaintStatus) -> Any:
    return func.coalesce(func.sum(case((Complaint.status == state, 1), else_=0)), 0)


def _counts_of(business: Any) -> list[Any]:
    return [
        select(_sum_of(state))
        .where(Complaint.business_id == business.id, _shown())
        .scalar_subquery()
        for state in COUNTED
    ]


def gstins(read: Any) -> list[str]:
    """The GSTINs column of "businesses_and_gstins" as a list in GSTIN order: an array on
    PostgreSQL, comma-separated text on SQLite (which has no arrays), NULL for none."""
    if not read:
        return []
    if isinstance(read, str):
        return sorted(set(read.split(",")))
    return list(read)


def _legal_entity_gstins_text_of(business: Any) -> Any:
    """`_legal_entity_gstins_of` for SQLite: the GSTINs comma-separated, in any order."""
    other = aliased(Business)
    own = (
        select(func.group_concat(BusinessGstin.gstin, ","))
        .where(BusinessGstin.business_id == business.id)
        .scalar_subquery()
    )
    under_pan = (
        select(func.group_concat(BusinessGstin.gstin, ","))
        .select_from(BusinessGstin)
        .join(other, other.id == BusinessGstin.business_id)
        .where(other.pan == business.pan)
        .scalar_subquery()
    )
    return case((or_(business.pan.is_(None), business.pan == ""), own), else_=under_pan)


def _legal_entity_gstins_of(business: Any) -> Any:
    """`directory.legal_entity_gstins` of one business as a PostgreSQL array (NULL for
    none): every GSTIN under its PAN, its own without a PAN, in GSTIN order."""
    other = aliased(Business)
    in_order = aggregate_order_by(BusinessGstin.gstin, BusinessGstin.gstin)
    own = (
        select(func.array_agg(in_order))
        .where(BusinessGstin.business_id == business.id)
        .scalar_subquery()
    )
    under_pan = (
        select(func.array_agg(in_order))
        .select_from(BusinessGstin)
        .join(other, other.id == BusinessGstin.business_id)
        .where(other.pan == business.pan)
        .scalar_subquery()
    )
    return case((or_(business.pan.is_(None), business.pan == ""), own), else_=under_pan)
