"""The credit report: what a paid order (or the business itself) gets to read.

A report shows the business's identity (its names, every GSTIN under its PAN, city and
state), the complaints other members can see (once listed: listed, disputed, and settled
within five years; never removed, withdrawn, or disputed or settled while still in notice)
with amounts, invoice ageing and the reporter's industry, and the risk score
(`registry.reports.scoring`). It never names a reporter: reporters are protected from retaliation;
only the debtor's notice names them.

A paid order stores its report as a dated snapshot, readable for 30 days after payment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict, cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from registry.errors import NotFound, RegistryError
from registry.identifiers import pan_of_gstin
from registry.language import N_
from registry.models import (
    Business,
    BusinessAlias,
    BusinessGstin,
    Complaint,
    ComplaintStatus,
    Member,
    MemberStatus,
    OrderStatus,
    ReportOrder,
    ReportSnapshot,
)
from registry.models.complaints import settled_shown_since, shown_to_others_clause
from registry.reports import history, scoring
from registry.reports.history import HistoryPoint

#: How long a paid report stays readable.
READABLE_FOR = timedelta(days=30)


class PaymentRequired(RegistryError):
    code = "payment_required"


# -- the report's shape (stored as JSON with each order; the API answers it as it is) ----


class Identity(TypedDict):
    business_id: int
    name: str
    aliases: list[str]
    pan: str | None
    gstins: list[str]
    city: str | None
    state: str | None


class InvoiceLine(TypedDict):
    invoice_date: str
    due_date: str
    amount_paise: int
    paid_paise: int
    days_past_due: int


class ComplaintLine(TypedDict):
    ref: int
    status: str
    reporter_industry: str
    reported_on: str
    settled_on: str | None
    amount_paise: int
    outstanding_paise: int
    days_past_due: int
    invoices: list[InvoiceLine]


class FactorLine(TypedDict):
    name: str
    label: str
    #: the sentence as a catalogue message, and what fills it (for other languages)
    text: str
    values: dict[str, object]
    points: float


class NotCounted(TypedDict):
    """Complaints against the business that the score does not count (yet): in their
    notice period, or disputed before they were ever listed."""

    in_notice: int
    under_dispute: int


class ScoreLine(TypedDict):
    value: int
    grade: str
    factors: list[FactorLine]
    not_counted: NotCounted
    history: list[HistoryPoint]


class CreditLimit(TypedDict):
    band: str
    max_paise: int


class Summary(TypedDict):
    complaints: int
    open: int
    settled: int
    outstanding_paise: int


class CreditReport(TypedDict):
    business: Identity
    score: ScoreLine
    credit_limit: CreditLimit
    summary: Summary
    complaints: list[ComplaintLine]
    generated_at: str


def survivor(session: Session, business_id: int) -> Business | None:
    """The business an id answers for: a merged business points at the one it joined."""
    business = session.get(Business, business_id)
    seen: set[int] = set()
    while business is not None and business.merged_into_id is not None:
        if business.id in seen:
            break
        seen.add(business.id)
        business = session.get(Business, business.merged_into_id)
    return business


def merged_family(session: Session, ids: Iterable[int]) -> set[int]:
    """These businesses and every business merged into them, however indirectly."""
    family = set(ids)
    frontier = set(family)
    while frontier:
        children = set(
            session.scalars(select(Business.id).where(Business.merged_into_id.in_(frontier)))
        )
        frontier = children - family
        family |= frontier
    return family


def gstins_under(pans: Iterable[str]) -> Select[int, str]:
    """Every GSTIN whose PAN part is one of `pans`, with its business: one look-up in
    `ix_business_gstins_pan` per PAN, whatever the registry's size (a LIKE '__<PAN>%'
    read every GSTIN, twice a report: 12 ms a report at 100,000 businesses)."""
    return select(BusinessGstin.business_id, BusinessGstin.gstin).where(
        BusinessGstin.pan_part().in_(sorted(pans))
    )


def _legal_entity(session: Session, business: Business) -> tuple[set[int], list[str], set[str]]:
    """The ids, GSTINs and PANs of everything that is the same legal entity: merged
    records, and every business sharing its PAN (GSTINs under one PAN are one entity)."""
    ids = merged_family(session, [business.id])
    gstins = set(
        session.scalars(select(BusinessGstin.gstin).where(BusinessGstin.business_id.in_(ids)))
    )
    pans = {pan_of_gstin(gstin) for gstin in gstins}
    pans |= {
        pan for pan in session.scalars(select(Business.pan).where(Business.id.in_(ids))) if pan
    }
    if pans:
        under_pans = session.execute(gstins_under(pans)).all()
        same_pan = {business_id for business_id, _ in under_pans}
        same_pan |= set(session.scalars(select(Business.id).where(Business.pan.in_(pans))))
        ids = merged_family(session, ids | same_pan)
        gstins |= {gstin for _, gstin in under_pans}
        gstins |= set(
            session.scalars(select(BusinessGstin.gstin).where(BusinessGstin.business_id.in_(ids)))
        )
    return ids, sorted(gstins), pans


def _identity(
    session: Session, business: Business, ids: set[int], gstins: list[str], pans: set[str]
) -> Identity:
    names = set(session.scalars(select(Business.name).where(Business.id.in_(ids))))
    names |= set(
        session.scalars(select(BusinessAlias.name).where(BusinessAlias.business_id.in_(ids)))
    )
    names.discard(business.name)
    return {
        "business_id": business.id,
        "name": business.name,
        "aliases": sorted(names),
        "pan": business.pan or (sorted(pans)[0] if len(pans) == 1 else None),
        "gstins": gstins,
        "city": business.city,
        "state": business.state,
    }


def _ageing_date(complaint: Complaint, today: date) -> date:
    """Open invoices age until today; a settled one stopped ageing when it was settled."""
    if complaint.status is ComplaintStatus.SETTLED and complaint.closed_at is not None:
        return complaint.closed_at.date()
    return today


def _complaint_row(number: int, complaint: Complaint, industry: str, today: date) -> ComplaintLine:
    until = _ageing_date(complaint, today)
    invoices: list[InvoiceLine] = [
        {
            "invoice_date": invoice.invoice_date.isoformat(),
            "due_date": invoice.due_date.isoformat(),
            "amount_paise": invoice.amount_paise,
            "paid_paise": invoice.paid_paise,
            "days_past_due": max(0, (until - invoice.due_date).days),
        }
        for invoice in complaint.invoices
    ]
    settled = complaint.status is ComplaintStatus.SETTLED
    reported = complaint.listed_at or complaint.notice_ends_at or complaint.created_at
    return {
        "ref": number,
        "status": complaint.status.value,
        "reporter_industry": industry,
        "reported_on": reported.date().isoformat(),
        "settled_on": complaint.closed_at.date().isoformat()
        if settled and complaint.closed_at
        else None,
        "amount_paise": sum(invoice.amount_paise for invoice in complaint.invoices),
        "outstanding_paise": 0 if settled else complaint.amount_outstanding_paise,
        "days_past_due": max((row["days_past_due"] for row in invoices), default=0),
        "invoices": invoices,
    }


def _claim(complaint: Complaint, row: ComplaintLine) -> scoring.Claim:
    weight = sum(max(invoice["amount_paise"], 1) for invoice in row["invoices"]) or 1
    days = (
        sum(max(inv["amount_paise"], 1) * inv["days_past_due"] for inv in row["invoices"]) / weight
    )
    return scoring.Claim(
        reporter=complaint.member_id,
        status=row["status"],
        amount_paise=row["amount_paise"],
        outstanding_paise=row["outstanding_paise"],
        days_beyond_terms=days,
        reported_on=date.fromisoformat(row["reported_on"]),
    )


# A reporter's industry is shown only when at least this many active members share it;
# otherwise the reader of a report could tell which member reported ("a member in Steel"
# when there is one Steel member).
INDUSTRY_SHOWN_FROM_MEMBERS = 3


def reporter_industries(session: Session, member_ids: Iterable[int]) -> dict[int, str]:
    """Each reporter's industry, or "" where fewer than 3 active members share it."""
    ids = set(member_ids)
    if not ids:
        return {}
    rows = session.execute(select(Member.id, Member.industry).where(Member.id.in_(ids))).all()
    wanted = {industry for _, industry in rows}
    shared = {
        industry
        for industry, count in session.execute(
            select(Member.industry, func.count(Member.id))
            .where(Member.industry.in_(wanted), Member.status == MemberStatus.ACTIVE)
            .group_by(Member.industry)
        )
        if count >= INDUSTRY_SHOWN_FROM_MEMBERS
    }
    return {member_id: industry if industry in shared else "" for member_id, industry in rows}


def not_counted(session: Session, ids: set[int]) -> NotCounted:
    """How many of these businesses' complaints wait outside the score: in the notice
    period, or disputed within it (never listed)."""
    counts = dict(
        session.execute(
            select(Complaint.status, func.count(Complaint.id))
            .where(
                Complaint.business_id.in_(ids),
                Complaint.listed_at.is_(None),
                Complaint.status.in_((ComplaintStatus.IN_NOTICE, ComplaintStatus.DISPUTED)),
            )
            .group_by(Complaint.status)
        ).all()
    )
    return {
        "in_notice": counts.get(ComplaintStatus.IN_NOTICE, 0),
        "under_dispute": counts.get(ComplaintStatus.DISPUTED, 0),
    }


def not_counted_sentences(counts: NotCounted) -> list[tuple[str, dict[str, object]]]:
    """The sentences said next to the score (catalogue messages and their values)."""
    said: list[tuple[str, dict[str, object]]] = []
    notice, disputed = counts.get("in_notice", 0), counts.get("under_dispute", 0)
    if notice == 1:
        said.append((N_("1 complaint in its notice period, not counted yet."), {}))
    elif notice:
        said.append(
            (N_("%(count)s complaints in their notice period, not counted yet."), {"count": notice})
        )
    if disputed == 1:
        said.append((N_("1 complaint under dispute, not counted."), {}))
    elif disputed:
        said.append((N_("%(count)s complaints under dispute, not counted."), {"count": disputed}))
    return said


@dataclass(frozen=True)
class Said:
    """What a report on a business says as of a moment, before it is scored: who the
    business is, and the complaints other members may see (oldest first). Enough to tell
    whether a report has changed (`registry.reports.versions.fingerprint`)."""

    ids: set[int]
    identity: Identity
    shown: Sequence[Complaint]

    def rows(self, today: date, industries: Mapping[int, str] | None = None) -> list[ComplaintLine]:
        """The complaints as the report lists them (with the reporters' industries when
        given: a fingerprint does not read them)."""
        industries = industries or {}
        return [
            _complaint_row(number, complaint, industries.get(complaint.member_id, ""), today)
            for number, complaint in enumerate(self.shown, start=1)
        ]


def said(session: Session, business_id: int, now: datetime) -> Said:
    """`Said` of the business an id answers for (a merged id answers its survivor)."""
    business = survivor(session, business_id)
    if business is None:
        raise NotFound(f"No business {business_id}.")
    ids, gstins, pans = _legal_entity(session, business)
    shown = session.scalars(
        select(Complaint)
        .where(Complaint.business_id.in_(ids), shown_to_others_clause(settled_shown_since(now)))
        .options(selectinload(Complaint.invoices))
        .order_by(Complaint.created_at, Complaint.id)
    ).all()
    return Said(ids, _identity(session, business, ids, gstins, pans), shown)


def build_report(session: Session, business_id: int, now: datetime) -> CreditReport:
    """The report on a business as of `now` (a merged id answers its survivor)."""
    found = said(session, business_id, now)
    ids, shown = found.ids, found.shown
    industries = reporter_industries(session, {c.member_id for c in shown})
    today = now.date()
    rows = found.rows(today, industries)
    result = scoring.score([_claim(c, row) for c, row in zip(shown, rows, strict=True)], today)
    past = session.scalars(
        select(Complaint)
        .where(Complaint.business_id.in_(ids), shown_to_others_clause())
        .options(selectinload(Complaint.invoices))
    ).all()
    return {
        "business": found.identity,
        "score": {
            "value": result.value,
            "grade": result.grade,
            "factors": [
                {
                    "name": f.name,
                    "label": f.label,
                    "text": f.text,
                    "values": dict(f.values),
                    "points": f.points,
                }
                for f in result.factors
            ],
            "not_counted": not_counted(session, ids),
            "history": history.score_history(past, now),
        },
        "credit_limit": {"band": result.credit_band, "max_paise": result.credit_limit_paise},
        "summary": {
            "complaints": len(rows),
            "open": sum(1 for row in rows if row["status"] != "settled"),
            "settled": sum(1 for row in rows if row["status"] == "settled"),
            "outstanding_paise": sum(row["outstanding_paise"] for row in rows),
        },
        "complaints": rows,
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def store_snapshot(session: Session, order: ReportOrder, now: datetime) -> ReportSnapshot:
    """Freeze the report an order paid for (called once, when the order becomes paid)."""
    content = build_report(session, order.business_id, now)
    snapshot = ReportSnapshot(
        order_id=order.id,
        business_id=order.business_id,
        content=json.dumps(content, ensure_ascii=False),
        generated_at=now,
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def readable_until(order: ReportOrder) -> datetime | None:
    if order.status is not OrderStatus.PAID or order.paid_at is None:
        return None
    return order.paid_at + READABLE_FOR


def is_readable(order: ReportOrder, now: datetime) -> bool:
    until = readable_until(order)
    return until is not None and now < until


def snapshot_of(session: Session, order: ReportOrder, now: datetime) -> CreditReport | None:
    """The order's report while it is readable (paid, not refunded, under 30 days)."""
    if not is_readable(order, now):
        return None
    snapshot = session.scalar(select(ReportSnapshot).where(ReportSnapshot.order_id == order.id))
    if snapshot is None:
        return None
    return cast(CreditReport, json.loads(snapshot.content))


def report_for_member(
    session: Session, member_id: int, business_id: int, now: datetime
) -> tuple[ReportOrder, CreditReport]:
    """The newest readable report this member paid for on this business (or on a business
    since merged into it). Unknown business: `NotFound`; nothing paid: `PaymentRequired`."""
    business = survivor(session, business_id)
    if business is None:
        raise NotFound(f"No business {business_id}.")
    ids = merged_family(session, [business.id])
    orders = session.scalars(
        select(ReportOrder)
        .where(
            ReportOrder.member_id == member_id,
            ReportOrder.business_id.in_(ids),
            ReportOrder.status == OrderStatus.PAID,
            ReportOrder.paid_at > now - READABLE_FOR,
        )
        .order_by(ReportOrder.paid_at.desc(), ReportOrder.id.desc())
    ).all()
    for order in orders:
        content = snapshot_of(session, order, now)
        if content is not None:
            return order, content
    raise PaymentRequired(
        "Buy this report first: POST /api/v1/reports/orders with this business_id, "
        "then pay through the gateway's checkout page."
    )
