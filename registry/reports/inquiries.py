"""Who looked: every unlock and every read of a credit report is recorded (member, time,
purpose "credit decision"), the business reads the list of enquiries about it, and an
unlock alerts the business (at most once a day per enquirer).

A business sees each enquiry's date, the enquirer's industry and state; the enquirer's
name only when that member agreed to be named (`Member.named_in_inquiries`, off by
default)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.kinds import gstin_state
from registry import audit
from registry.actors import Actor
from registry.complaints.notices.recipients import (
    Recipient,
    Version,
    fan_out,
    in_both,
    own_contacts,
)
from registry.language import N_, translate
from registry.models import Business, BusinessGstin, Member, ReportPull
from registry.reports.credit_report import merged_family, survivor
from registry.settings import PRODUCT_NAME

PullKind = Literal["unlock", "api", "page", "pdf"]
KINDS: tuple[PullKind, ...] = ("unlock", "api", "page", "pdf")

#: `CREDIT_DECISION` as pages show it (translated).
PURPOSE_SHOWN = N_("credit decision")

#: At most one pull alert per enquirer and business in this window.
ALERT_EVERY = timedelta(days=1)

ALERT_SUBJECT = N_("A member of %(product)s has pulled your credit report")
ALERT_BODY = N_(
    "A member of %(product)s has bought the credit report on %(business)s, for a credit "
    "decision. Sign in to %(product)s to see who looked at your business."
)


@dataclass(frozen=True)
class Inquiry:
    """One enquirer's pulls of the report on one day."""

    on: date
    industry: str
    state: str | None
    name: str | None  # only when the member agreed to be named
    kinds: tuple[str, ...]
    purpose: str


def record_pull(
    session: Session,
    member_id: int,
    business_id: int,
    kind: PullKind,
    now: datetime,
    order_id: int | None = None,
) -> ReportPull:
    """Record one unlock or read; an unlock alerts the business unless this enquirer's
    pull already alerted it within a day."""
    if kind not in KINDS:
        raise ValueError(f"unknown pull kind {kind!r}")
    pull = ReportPull(
        member_id=member_id, business_id=business_id, order_id=order_id, kind=kind, pulled_at=now
    )
    session.add(pull)
    if kind == "unlock" and not _alerted_lately(session, member_id, business_id, now):
        pull.alerted = _alert(session, business_id) > 0
    session.flush()
    return pull


def _alerted_lately(session: Session, member_id: int, business_id: int, now: datetime) -> bool:
    found = session.scalar(
        select(ReportPull.id)
        .where(
            ReportPull.member_id == member_id,
            ReportPull.business_id == business_id,
            ReportPull.alerted.is_(True),
            ReportPull.pulled_at > now - ALERT_EVERY,
        )
        .limit(1)
    )
    return found is not None


def alert_recipients(business: Business) -> list[Recipient]:
    """The business's own contacts from an authoritative source (a directory load or the
    business itself), never a contact a member gave with a complaint."""
    return own_contacts(business)


def _alert(session: Session, business_id: int) -> int:
    business = survivor(session, business_id)
    if business is None:
        return 0
    recipients = alert_recipients(business)
    if not recipients:
        return 0
    values = {"product": PRODUCT_NAME, "business": business.name}
    return fan_out(
        session,
        recipients,
        "report_pulled",
        in_both(
            lambda code: Version(
                code,
                translate(code, ALERT_SUBJECT, **values),
                translate(code, ALERT_BODY, **values),
                translate(code, ALERT_SUBJECT, **values),
            )
        ),
    )


def inquiries_for(session: Session, business_id: int) -> list[Inquiry]:
    """The enquiries about this business (and the records merged into it), newest first:
    one line per enquirer and day."""
    business = survivor(session, business_id)
    if business is None:
        return []
    ids = merged_family(session, [business.id])
    rows = session.execute(
        select(ReportPull, Member)
        .join(Member, Member.id == ReportPull.member_id)
        .where(ReportPull.business_id.in_(ids))
        .order_by(ReportPull.pulled_at.desc(), ReportPull.id.desc())
    ).all()
    lines: dict[tuple[int, date], tuple[Member, list[str], str]] = {}
    for pull, member in rows:
        key = (member.id, pull.pulled_at.date())
        _member, kinds, _purpose = lines.setdefault(key, (member, [], pull.purpose))
        if pull.kind not in kinds:
            kinds.append(pull.kind)
    return [
        Inquiry(
            on=on,
            industry=member.industry,
            state=_state(member.gstin),
            name=member.name if member.named_in_inquiries else None,
            kinds=tuple(kinds),
            purpose=purpose,
        )
        for (_id, on), (member, kinds, purpose) in lines.items()
    ]


def _state(gstin: str) -> str | None:
    try:
        return gstin_state(gstin)
    except ValueError:  # stdnum's errors are ValueErrors; a member's GSTIN was checked
        return None


def own_business(session: Session, member: Member) -> Business | None:
    """The business a member is in the registry: the one holding the member's GSTIN."""
    business_id = session.scalar(
        select(BusinessGstin.business_id).where(BusinessGstin.gstin == member.gstin)
    )
    return survivor(session, business_id) if business_id is not None else None


def set_named(session: Session, actor: Actor, member: Member, named: bool) -> None:
    """The member's choice to be named to the businesses whose reports it pulls (audited)."""
    if member.named_in_inquiries == named:
        return
    member.named_in_inquiries = named
    audit.record(
        session,
        actor,
        "member",
        member.id,
        "named_in_inquiries" if named else "unnamed_in_inquiries",
    )
    session.flush()
