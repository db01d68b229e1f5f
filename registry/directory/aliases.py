"""Re-judging the names that filings gave businesses before names had provenance.

Before names had provenance, every filing's spelling became a search name of the business
it was filed against (source `filing`): one member could tie any name to any business.
Migration 0026 marks those names `filing_unjudged`, and `rejudge` holds each one to
today's rule (`debtors.alias_source`): a name stays only when it is as close to the
business's trusted names as the score at which filing asks the member to confirm
(`filing_matched`). The filings of that time kept no GSTIN or PAN of their own, so
"identified by GSTIN/PAN" cannot be shown after the fact; a name that is not close leaves
search and becomes the complaint's name "as reported", which an admin can add back with
one click on the business's page.

Each unjudged name is judged against the business's other names only: all of a
business's unjudged names leave the index first, so two names one member gave cannot vouch
for each other. `registry init-db` runs it after migrating, and the worker's rounds finish
whatever is left; it is idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import SYSTEM
from registry.directory.debtors import alias_source
from registry.models import Business, BusinessAlias, Complaint
from registry.search_index import name_index

#: The source migration 0026 gives the names filings made before provenance.
UNJUDGED = "filing_unjudged"

#: A filing wrote its alias and its complaint in one transaction, moments apart.
FILED_WITH = timedelta(minutes=2)


def rejudge(session: Session, limit: int | None = None) -> int:
    """Judge the unjudged names of up to `limit` businesses (all when None); returns how
    many names were judged. Flushes; the caller commits."""
    query = (
        select(BusinessAlias.business_id)
        .where(BusinessAlias.source == UNJUDGED)
        .distinct()
        .order_by(BusinessAlias.business_id)
    )
    if limit is not None:
        query = query.limit(limit)
    judged = 0
    for business_id in session.scalars(query).all():
        business = session.get(Business, business_id)
        if business is not None:
            judged += _rejudge_business(session, business)
    return judged


def _rejudge_business(session: Session, business: Business) -> int:
    unjudged = [a for a in business.aliases if a.source == UNJUDGED]
    # Out of the index, all of them at once: each is judged against trusted names only.
    name_index.remove_business(
        session, business.id, [business.name, *(a.name for a in business.aliases)]
    )
    for alias in unjudged:
        session.delete(alias)
    session.flush()
    session.expire(business, ["aliases"])
    trusted = [business.name, *(a.name for a in business.aliases)]
    name_index.add_names(session, business.id, trusted, business.city)
    kept = []
    for alias in unjudged:
        if alias_source(session, business, alias.name, None, None) is not None:
            kept.append(alias)
    for alias in unjudged:
        if alias in kept:
            business.aliases.append(
                BusinessAlias(name=alias.name, source="filing_matched", created_at=alias.created_at)
            )
            note = f"{alias.name}: kept as a search name (close to the business's names)"
        else:
            where = _as_reported_on(session, business.id, alias)
            note = f"{alias.name}: no longer a search name; " + (
                f"kept as reported on complaint #{where}" if where else "no complaint to keep it on"
            )
        audit.record(session, SYSTEM, "business", business.id, "alias_rejudged", note=note)
    session.flush()
    if kept:
        name_index.add_names(session, business.id, [a.name for a in kept], business.city)
    return len(unjudged)


def _as_reported_on(session: Session, business_id: int, alias: BusinessAlias) -> int | None:
    """Keep the spelling on the complaint filed with it (or the business's earliest one
    that has no name as reported) so the admin's page lists it; the complaint's id."""
    open_slot = (
        select(Complaint)
        .where(Complaint.business_id == business_id, Complaint.debtor_name_as_reported.is_(None))
        .order_by(Complaint.created_at, Complaint.id)
    )
    filed_with = session.scalars(
        open_slot.where(
            Complaint.created_at >= alias.created_at - FILED_WITH,
            Complaint.created_at <= alias.created_at + FILED_WITH,
        ).limit(1)
    ).first()
    complaint = filed_with or session.scalars(open_slot.limit(1)).first()
    if complaint is None:
        return None
    complaint.debtor_name_as_reported = alias.name
    return complaint.id
