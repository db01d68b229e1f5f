"""The watchlist: a member follows businesses it sells to and is alerted (an email
through the outbox, and an in-portal notification) when a complaint about one of them
is listed or changes state in a way other members can see.

Alerts say what happened and never the amount or who reported it: like free search
results, they show what any member may see; the details are in the paid report.
A complaint still in its notice period is private, so nothing about it is alerted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry import audit, outbox
from registry.actors import Actor
from registry.directory import businesses
from registry.errors import NotFound, ValidationFailed
from registry.language import N_, SOURCE, of_member, translate, words
from registry.models import (
    Business,
    Complaint,
    ComplaintStatus,
    Member,
    MemberStatus,
    Notification,
    Watch,
    utcnow,
)
from registry.settings import PRODUCT_NAME

C = ComplaintStatus

#: A complaint's first listing, whichever way it came: its notice period ended, or the
#: registry rejected a dispute raised during it. Till then other members could not see it,
#: so to a watcher it is a new complaint (and its private notice period stays private).
FIRST_LISTING = N_("A new complaint about %(name)s was listed.")
#: What a watcher reads of any other change, by the complaint's new state (and, where it
#: matters, its old one).
PHRASES = {
    (C.DISPUTED, C.LISTED): N_(
        "A disputed complaint about %(name)s is listed again: the registry rejected the dispute."
    ),
    (None, C.DISPUTED): N_("A complaint about %(name)s is disputed by the business."),
    (None, C.SETTLED): N_("A complaint about %(name)s was settled."),
    (None, C.REMOVED): N_("A complaint about %(name)s was removed after a dispute."),
}


def _phrase(
    previous: ComplaintStatus,
    target: ComplaintStatus,
    name: str,
    first_listing: bool,
    code: str = SOURCE,
) -> str:
    """The change in one sentence, in the watcher's language."""
    text = (
        FIRST_LISTING
        if first_listing
        else PHRASES.get((previous, target)) or PHRASES.get((None, target))
    )
    if text is None:
        return translate(
            code,
            "A complaint about %(name)s went from %(old)s to %(new)s.",
            name=name,
            old=words(previous, code),
            new=words(target, code),
        )
    return translate(code, text, name=name)


@dataclass(frozen=True)
class Watched:
    watch: Watch
    business: Business
    created: bool


def watch(session: Session, actor: Actor, business_id: int) -> Watched:
    """Watch a business (a merged id watches the surviving business). Watching one
    already watched answers that watch, with `created` False."""
    if actor.member_id is None:
        raise ValidationFailed({"member": N_("only members keep a watchlist")})
    business = businesses.get(session, business_id)
    if business is None:
        raise ValidationFailed({"business_id": N_("no such business")}, "No such business.")
    existing = find(session, actor.member_id, business.id)
    if existing is not None:
        return Watched(existing, business, False)
    try:
        with session.begin_nested():
            item = Watch(
                member_id=actor.member_id,
                business_id=business.id,
                created_by_user_id=actor.user_id,
            )
            session.add(item)
            session.flush()
    except IntegrityError:  # the same member watched it a moment ago
        existing = find(session, actor.member_id, business.id)
        if existing is None:
            raise
        return Watched(existing, business, False)
    audit.record(session, actor, "watch", item.id, "created", note=f"business #{business.id}")
    return Watched(item, business, True)


def unwatch(session: Session, actor: Actor, watch_id: int) -> Business | None:
    """Stop watching; another member's watch is NotFound, as an unknown one."""
    item = session.get(Watch, watch_id)
    if item is None or actor.member_id is None or item.member_id != actor.member_id:
        raise NotFound(f"No watch {watch_id} of yours.")
    business = session.get(Business, item.business_id)
    session.delete(item)
    session.flush()
    audit.record(session, actor, "watch", watch_id, "deleted", note=f"business #{item.business_id}")
    return business


def find(session: Session, member_id: int, business_id: int) -> Watch | None:
    return session.scalar(
        select(Watch).where(Watch.member_id == member_id, Watch.business_id == business_id)
    )


def for_member(member_id: int) -> Select[Watch, Business]:
    """The member's watches with their businesses, newest first (for a paged list)."""
    return (
        select(Watch, Business)
        .join(Business, Business.id == Watch.business_id)
        .where(Watch.member_id == member_id)
        .order_by(Watch.id.desc())
    )


def watched_ids(session: Session, member_id: int, business_ids: list[int]) -> dict[int, int]:
    """business id -> watch id, for those of `business_ids` the member watches."""
    if not business_ids:
        return {}
    rows = session.execute(
        select(Watch.business_id, Watch.id).where(
            Watch.member_id == member_id, Watch.business_id.in_(business_ids)
        )
    ).all()
    return {business_id: watch_id for business_id, watch_id in rows}


def complaint_changed(
    session: Session,
    complaint: Complaint,
    previous: ComplaintStatus,
    public: bool,
    *,
    first_listing: bool = False,
) -> int:
    """Alert the members watching the complaint's business (not its own reporter) of a
    change other members can see; returns how many were alerted. `first_listing` says
    the complaint was never listed before this move. Called by
    `registry.complaints.life.transition()`, the one place complaint states change."""
    if not public:
        return 0
    watchers = session.scalars(
        select(Member)
        .join(Watch, Watch.member_id == Member.id)
        .where(
            Watch.business_id == complaint.business_id,
            Member.id != complaint.member_id,
            Member.status == MemberStatus.ACTIVE,
        )
        .order_by(Member.id)
    ).all()
    if not watchers:
        return 0
    business = session.get(Business, complaint.business_id)
    name = business.name if business else f"#{complaint.business_id}"
    for watcher in watchers:
        code = of_member(watcher)
        message = _phrase(previous, complaint.status, name, first_listing, code)
        body = "\n\n".join(
            (
                message,
                translate(
                    code,
                    "You are watching %(name)s (registry id %(id)s) on %(product)s. Log in to "
                    "see your alerts, or buy a fresh credit report on it for the details.",
                    name=name,
                    id=complaint.business_id,
                    product=PRODUCT_NAME,
                ),
                translate(code, "To stop these emails, remove it from your watchlist."),
            )
        )
        session.add(
            Notification(
                member_id=watcher.id,
                business_id=complaint.business_id,
                kind=f"complaint_{complaint.status.value}",
                message=message,
            )
        )
        subject = translate(code, "Watchlist: %(alert)s", alert=message)
        outbox.queue_email(session, "watch_alert", watcher.contact_email, subject, body)
    session.flush()
    return len(watchers)


# -- in-portal notifications ---------------------------------------------------------------------


def notifications_for(member_id: int) -> Select[Notification]:
    return (
        select(Notification)
        .where(Notification.member_id == member_id)
        .order_by(Notification.id.desc())
    )


def unread_count(session: Session, member_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.member_id == member_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_all_read(session: Session, member_id: int) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.member_id == member_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]
