"""The directory of businesses: finding one by identifier, creating one, the names it
goes by. Every change here keeps the search index current."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import Actor
from registry.db import among
from registry.errors import NotFound, ValidationFailed
from registry.language import N_
from registry.models import Business, BusinessAlias, BusinessGstin, Complaint
from registry.search_index import name_index

MAX_MERGE_CHAIN = 50


def survivor(session: Session, business: Business) -> Business:
    """The business that answers for this one (itself unless it was merged away)."""
    seen = 0
    while business.merged_into_id is not None and seen < MAX_MERGE_CHAIN:
        nxt = session.get(Business, business.merged_into_id)
        if nxt is None:
            break
        business, seen = nxt, seen + 1
    return business


def get(session: Session, business_id: int) -> Business | None:
    """A business by id; a merged id answers the surviving business."""
    business = session.get(Business, business_id)
    return survivor(session, business) if business is not None else None


def locked_survivor(session: Session, business: Business) -> Business:
    """The live business `business` stands for, its row locked until the transaction
    ends (PostgreSQL; SQLite has one writer anyway) and read afresh: a merge that
    committed meanwhile is seen and followed, and one not begun yet waits for this
    transaction, so what is written against the business is not left on a merged-away
    record."""
    for _ in range(MAX_MERGE_CHAIN + 1):
        locked = session.scalar(
            select(Business)
            .where(Business.id == business.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert locked is not None
        if locked.merged_into_id is None:
            return locked
        nxt = session.get(Business, locked.merged_into_id)
        if nxt is None:
            return locked
        business = nxt
    return business


def by_gstin(session: Session, gstin: str) -> Business | None:
    business = session.scalar(
        select(Business).join(BusinessGstin).where(BusinessGstin.gstin == gstin)
    )
    return survivor(session, business) if business is not None else None


def by_pan(session: Session, pan: str) -> Sequence[Business]:
    """Live businesses holding this PAN (one legal entity, possibly several records)."""
    return session.scalars(
        select(Business)
        .where(Business.pan == pan, Business.merged_into_id.is_(None))
        .order_by(Business.id)
    ).all()


def legal_entity_gstins(session: Session, businesses: Sequence[Business]) -> dict[int, list[str]]:
    """Every GSTIN under each business's PAN (its own, without a PAN), in one query."""
    if not businesses:
        return {}
    rows = session.execute(
        _gstins_statement(session.get_bind().dialect.name),
        {
            "pans": sorted({b.pan for b in businesses if b.pan}),
            "ids": sorted({b.id for b in businesses}),
        },
    ).all()
    by_pan: dict[str, list[str]] = {}
    by_id: dict[int, list[str]] = {}
    for business_id, pan, gstin in rows:
        if pan:
            by_pan.setdefault(pan, []).append(gstin)
        by_id.setdefault(business_id, []).append(gstin)
    return {
        b.id: list(dict.fromkeys(by_pan.get(b.pan, []) if b.pan else by_id.get(b.id, [])))
        or by_id.get(b.id, [])
        for b in businesses
    }


@cache
def _gstins_statement(dialect: str) -> Any:
    """Built once per database kind: every search and report asks it."""
    return (
        select(Business.id, Business.pan, BusinessGstin.gstin)
        .join(BusinessGstin, BusinessGstin.business_id == Business.id)
        .where(or_(among(Business.pan, "pans", dialect), among(Business.id, "ids", dialect)))
        .order_by(BusinessGstin.gstin)
    )


def gstins_of_legal_entity(session: Session, business: Business) -> list[str]:
    """Every GSTIN under the business's PAN (or its own, without a PAN)."""
    return legal_entity_gstins(session, [business])[business.id]


def create(
    session: Session,
    actor: Actor,
    name: str,
    *,
    gstin: str | None = None,
    pan: str | None = None,
    city: str | None = None,
    state: str | None = None,
    email: str | None = None,
) -> Business:
    business = Business(
        name=" ".join(name.split()),
        pan=pan or (gstin[2:12] if gstin else None),
        city=(city or "").strip() or None,
        state=(state or "").strip() or None,
        # An email given here comes from a directory (the demo's, an admin's), never from
        # a filing: it is the business's own contact.
        email=email,
        contacts_source="import" if email else None,
    )
    if gstin:
        business.gstins.append(BusinessGstin(gstin=gstin))
    session.add(business)
    session.flush()
    name_index.add_names(session, business.id, [business.name], business.city)
    audit.record(session, actor, "business", business.id, "created", note=business.name)
    return business


def add_gstin(session: Session, business: Business, gstin: str) -> Business:
    """Record another GSTIN of the business. Returns the business the GSTIN belongs to:
    this one, or the one another request gave it to between this one's look at the
    business's GSTINs and its insert (the unique GSTIN decides; that request's row is
    used, not written again)."""
    if any(g.gstin == gstin for g in business.gstins):
        return business
    session.flush()
    try:
        with session.begin_nested():
            business.gstins.append(BusinessGstin(gstin=gstin))
            if business.pan is None:
                business.pan = gstin[2:12]
            session.flush()
    except IntegrityError:
        session.expire(business, ["gstins", "pan"])
        holder = by_gstin(session, gstin)
        if holder is None:
            raise
        return holder
    return business


def add_alias(session: Session, business: Business, name: str, source: str) -> None:
    """Remember another spelling of the business's name (and index it). When another
    request added the same spelling after this one looked, that request's alias (and its
    index rows) stand and nothing is written here."""
    name = " ".join(name.split())
    known = {business.name.casefold(), *(a.name.casefold() for a in business.aliases)}
    if not name or name.casefold() in known:
        return
    session.flush()
    try:
        with session.begin_nested():
            business.aliases.append(BusinessAlias(name=name, source=source))
            session.flush()
            name_index.add_names(session, business.id, [name], business.city)
    except IntegrityError:
        session.expire(business, ["aliases"])
        there = select(BusinessAlias.id).where(
            BusinessAlias.business_id == business.id, BusinessAlias.name == name
        )
        if session.scalar(there) is None:
            raise


def aliases_query(business_id: int) -> Any:
    """A business's other names, oldest first, each with where it came from."""
    return (
        select(BusinessAlias)
        .where(BusinessAlias.business_id == business_id)
        .order_by(BusinessAlias.created_at, BusinessAlias.id)
    )


def remove_alias(session: Session, business_id: int, alias_id: int, actor: Actor) -> None:
    """Take one of a business's other names away (an admin's decision, audited). It leaves
    the search index at once: the business's index rows are written again without it."""
    alias = session.get(BusinessAlias, alias_id)
    if alias is None or alias.business_id != business_id:
        raise NotFound(f"No alias {alias_id} on business {business_id}.")
    business = alias.business
    before = [business.name, *(a.name for a in business.aliases)]
    name_index.remove_business(session, business.id, before)
    name, source = alias.name, alias.source
    session.delete(alias)
    session.flush()
    session.expire(business, ["aliases"])
    name_index.add_names(
        session, business.id, [business.name, *(a.name for a in business.aliases)], business.city
    )
    audit.record(
        session, actor, "business", business.id, "alias_removed", note=f"{name} ({source})"
    )


def add_alias_by_admin(
    session: Session, business: Business, name: str, actor: Actor
) -> BusinessAlias:
    """An admin adds a name to a business (audited); the name already there is returned."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 300:
        raise ValidationFailed({"name": N_("2 to 300 characters")})
    add_alias(session, business, name, "admin")
    session.expire(business, ["aliases"])
    alias = next((a for a in business.aliases if a.name.casefold() == name.casefold()), None)
    if alias is None:  # the business's own name
        raise ValidationFailed({"name": N_("this is the business's own name")})
    audit.record(session, actor, "business", business.id, "alias_added", note=f"{name} (admin)")
    return alias


def names_as_reported(session: Session, business: Business) -> list[str]:
    """Spellings reporters gave for this business that are not among its names."""
    known = {business.name.casefold(), *(a.name.casefold() for a in business.aliases)}
    typed = session.scalars(
        select(Complaint.debtor_name_as_reported)
        .where(
            Complaint.business_id == business.id,
            Complaint.debtor_name_as_reported.is_not(None),
        )
        .distinct()
    ).all()
    return sorted({n for n in typed if n and n.casefold() not in known})
