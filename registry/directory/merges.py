"""Merging two records of one real business, and undoing it.

A merge moves complaints (with their invoices), orders, watches, GSTINs and aliases to
the kept business, keeps the merged name as an alias, fills the survivor's missing PAN,
city, state and email from the merged record, and points the merged id at the survivor so
it keeps answering. What moved and what was filled is recorded, so an undo puts back
exactly that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import Actor
from registry.directory import duplicates
from registry.errors import InvalidTransition, NotFound, ValidationFailed
from registry.language import N_
from registry.models import (
    Business,
    BusinessAlias,
    BusinessGstin,
    BusinessMerge,
    Complaint,
    Invoice,
    PairStatus,
    ReportOrder,
    Watch,
    utcnow,
)
from registry.search_index import name_index

#: What a merge moves to the kept business (and an undo moves back), by record kind.
MOVED: tuple[tuple[Any, str], ...] = (
    (Complaint, "complaints"),
    (Invoice, "invoices"),
    (ReportOrder, "orders"),
    (BusinessAlias, "aliases"),
    (BusinessGstin, "gstins"),
    (Watch, "watches"),
)


#: Parts of a business the survivor takes from the merged record when it has none.
FILLED = ("pan", "city", "state")
#: The business's own contacts go together with their source: a survivor without any takes
#: the merged record's (email, mobile and where they came from) as one.
CONTACTS = ("email", "mobile", "contacts_source")


def names_of(business: Business) -> list[str]:
    return [business.name, *(a.name for a in business.aliases)]


def _ids(session: Session, model: Any, business_id: int) -> list[int]:
    return list(session.scalars(select(model.id).where(model.business_id == business_id)))


def _move(session: Session, model: Any, ids: Sequence[int], to: int) -> None:
    if ids:
        session.execute(update(model).where(model.id.in_(ids)).values(business_id=to))


def _clashing_invoices(session: Session, keep: Business, merge: Business) -> list[str]:
    """Invoices one member reported against both: the same number in the same financial
    year (numbers start again each April, so last year's "B/7" is another invoice)."""
    other = Invoice.__table__.alias("other")
    rows = session.execute(
        select(Invoice.number)
        .join(
            other,
            (other.c.member_id == Invoice.member_id)
            & (other.c.financial_year == Invoice.financial_year)
            & (other.c.number_key == Invoice.number_key),
        )
        .where(Invoice.business_id == merge.id, other.c.business_id == keep.id)
    ).scalars()
    return sorted(set(rows))


def _locked(session: Session, ids: list[int]) -> dict[int, Business]:
    """The businesses, their rows locked (in id order, so two merges cannot deadlock) and
    read afresh: a filing against one of them finishes before the merge moves its
    records, or waits and then files against the survivor."""
    rows = session.scalars(
        select(Business)
        .where(Business.id.in_(ids))
        .order_by(Business.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {b.id: b for b in rows}


def check(session: Session, keep_id: int, merge_id: int) -> tuple[Business, Business]:
    locked = _locked(session, sorted({keep_id, merge_id}))
    keep, merge = locked.get(keep_id), locked.get(merge_id)
    errors: dict[str, str] = {}
    if keep is None:
        errors["keep"] = N_("no such business")
    if merge is None:
        errors["merge"] = N_("no such business")
    if keep is not None and merge is not None:
        if keep.id == merge.id:
            errors["merge"] = "a business cannot be merged into itself"
        elif keep.merged_into_id is not None:
            errors["keep"] = f"was merged into #{keep.merged_into_id}; keep that one instead"
        elif merge.merged_into_id is not None:
            errors["merge"] = f"is already merged into #{merge.merged_into_id}"
        elif keep.pan and merge.pan and keep.pan != merge.pan:
            errors["merge"] = N_("has another PAN: these are different legal entities")
        else:
            clash = _clashing_invoices(session, keep, merge)
            if clash:
                errors["merge"] = "a member reported the same invoice against both: " + ", ".join(
                    clash
                )
    if errors:
        raise ValidationFailed(errors)
    assert keep is not None and merge is not None
    return keep, merge


def merge(session: Session, keep_id: int, merge_id: int, actor: Actor) -> BusinessMerge:
    """Merge business `merge_id` into `keep_id`: its complaints, invoices, orders, names,
    GSTINs and watches move to the survivor, its name stays findable as an alias, and a
    record keeps what moved so that `undo` can split them again."""
    keep, gone = check(session, keep_id, merge_id)
    gone_names, keep_names = names_of(gone), names_of(keep)
    moved, dropped = _move_records(session, keep, gone)
    alias = _keep_name_as_alias(session, keep, gone)
    gone.merged_into_id = keep.id
    filled = _fill_blanks(keep, gone)
    session.flush()
    _reindex(session, keep, gone_names, keep_names, gone)
    record = BusinessMerge(
        kept_id=keep.id,
        merged_id=gone.id,
        merged_by_user_id=actor.user_id,
        moved=json.dumps(
            {
                **moved,
                "alias_added": alias and alias.id,
                "dropped_watches": dropped,
                "filled": filled,
            }
        ),
    )
    session.add(record)
    _close_pair(session, keep, gone, actor)
    audit.record(
        session,
        actor,
        "business",
        keep.id,
        "merged",
        note=f"#{gone.id} ({gone.name}) merged into #{keep.id}",
    )
    audit.record(session, actor, "business", gone.id, "merged_away", note=f"into #{keep.id}")
    return record


def _move_records(
    session: Session, keep: Business, gone: Business
) -> tuple[dict[str, list[int]], list[dict[str, Any]]]:
    """Move what belongs to `gone` onto `keep`; returns the ids moved (by kind) and the
    watches dropped because the watcher already watched the survivor."""
    moved: dict[str, list[int]] = {
        "complaints": _ids(session, Complaint, gone.id),
        "invoices": _ids(session, Invoice, gone.id),
        "orders": _ids(session, ReportOrder, gone.id),
        # an alias the survivor has already, spelled the same, stays where it is
        "aliases": [a.id for a in gone.aliases if a.name not in {x.name for x in keep.aliases}],
        "gstins": _ids(session, BusinessGstin, gone.id),
    }
    watched_by_keep = set(
        session.scalars(select(Watch.member_id).where(Watch.business_id == keep.id))
    )
    watches = session.scalars(select(Watch).where(Watch.business_id == gone.id)).all()
    moved["watches"] = [w.id for w in watches if w.member_id not in watched_by_keep]
    dropped = [
        {"member_id": w.member_id, "created_at": w.created_at.isoformat()}
        for w in watches
        if w.member_id in watched_by_keep
    ]
    for watch in watches:
        if watch.member_id in watched_by_keep:
            session.delete(watch)
    for model, key in MOVED:
        _move(session, model, moved[key], keep.id)
    session.flush()
    return moved, dropped


def _keep_name_as_alias(session: Session, keep: Business, gone: Business) -> BusinessAlias | None:
    """The merged name as an alias of the survivor, unless it is one already."""
    if gone.name in {a.name for a in keep.aliases} | {a.name for a in gone.aliases}:
        return None
    alias = BusinessAlias(business_id=keep.id, name=gone.name, source="merge")
    session.add(alias)
    return alias


def _fill_blanks(keep: Business, gone: Business) -> dict[str, Any]:
    """What the survivor lacked it takes from the merged record; an undo clears it again."""
    filled = {
        part: getattr(gone, part)
        for part in FILLED
        if getattr(keep, part) is None and getattr(gone, part) is not None
    }
    if keep.contacts_source is None and gone.contacts_source is not None:
        filled.update({part: getattr(gone, part) for part in CONTACTS})
    for part, value in filled.items():
        setattr(keep, part, value)
    return filled


def _reindex(
    session: Session,
    keep: Business,
    gone_names: Iterable[str],
    keep_names: Iterable[str],
    gone: Business,
) -> None:
    """The merged business leaves the name index; the survivor is found by all its names."""
    name_index.remove_business(session, gone.id, gone_names)
    name_index.remove_business(session, keep.id, keep_names)
    session.expire(keep)
    name_index.add_names(session, keep.id, names_of(keep), keep.city)


def _close_pair(session: Session, keep: Business, gone: Business, actor: Actor) -> None:
    """The duplicate finder's pair for the two, if it proposed one, is merged."""
    pair = duplicates.pair_of(session, keep.id, gone.id)
    if pair is not None and duplicates.LIFE.allows(pair.status, PairStatus.MERGED):
        duplicates.transition(session, pair, PairStatus.MERGED, actor, action="merged")
    session.flush()


def undo(session: Session, merge_id: int, actor: Actor) -> BusinessMerge:
    record = session.get(BusinessMerge, merge_id)
    if record is None:
        raise NotFound(f"No merge {merge_id}.")
    if record.undone_at is not None:
        raise InvalidTransition("merge", "undone", "undone again")
    keep = session.get(Business, record.kept_id)
    gone = session.get(Business, record.merged_id)
    assert keep is not None and gone is not None
    if keep.merged_into_id is not None:
        raise InvalidTransition(
            "merge", f"followed by a merge into #{keep.merged_into_id}", "undone"
        )
    moved = json.loads(record.moved)
    keep_names_before = names_of(keep)
    for model, key in MOVED:
        _move(session, model, moved.get(key, []), gone.id)
    added = session.get(BusinessAlias, moved.get("alias_added") or 0)
    if added is not None:
        session.delete(added)
    for watch in moved.get("dropped_watches", []):
        session.add(Watch(member_id=watch["member_id"], business_id=gone.id))
    for part, value in moved.get("filled", {}).items():
        if getattr(keep, part) == value and not (
            part == "pan" and _holds_pan_otherwise(session, keep.id, gone.id, value)
        ):
            setattr(keep, part, None)
    gone.merged_into_id = None
    record.undone_at = utcnow()
    session.flush()
    session.expire(keep)
    session.expire(gone)
    name_index.remove_business(session, keep.id, keep_names_before)
    name_index.add_names(session, keep.id, names_of(keep), keep.city)
    name_index.add_names(session, gone.id, names_of(gone), gone.city)
    pair = duplicates.pair_of(session, keep.id, gone.id)
    if pair is not None and pair.status is PairStatus.MERGED:
        duplicates.transition(session, pair, PairStatus.OPEN, actor, action="merge_undone")
    audit.record(
        session, actor, "business", keep.id, "merge_undone", note=f"#{gone.id} split off again"
    )
    audit.record(
        session, actor, "business", gone.id, "merge_undone", note=f"restored from #{keep.id}"
    )
    return record


def _holds_pan_otherwise(session: Session, keep_id: int, gone_id: int, pan: str) -> bool:
    """Whether the survivor has this PAN other than from the merge being undone: a GSTIN
    of the PAN that a filing gave it while the merge stood (the PAN it had taken made that
    filing join it), or another record of the PAN merged into it since. Then the PAN stays:
    a record's PAN agrees with its GSTINs and with what was merged into it, so a search by
    the PAN still finds the complaints filed under them."""
    held = session.scalars(select(BusinessGstin.gstin).where(BusinessGstin.business_id == keep_id))
    if any(gstin[2:12] == pan for gstin in held):
        return True
    merged_in = select(Business.id).where(
        Business.merged_into_id == keep_id, Business.id != gone_id, Business.pan == pan
    )
    return session.scalar(merged_in.limit(1)) is not None


def merges_of(session: Session, business_id: int) -> Sequence[BusinessMerge]:
    return session.scalars(
        select(BusinessMerge)
        .where((BusinessMerge.kept_id == business_id) | (BusinessMerge.merged_id == business_id))
        .order_by(BusinessMerge.id.desc())
    ).all()
