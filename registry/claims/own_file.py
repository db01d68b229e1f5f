"""What a claimed business sees of itself: its identity and contacts, its whole file and
score (free, the paid report's shape), and who pulled its report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry.models import Business, Member, OrderStatus, ReportOrder
from registry.reports import credit_report
from registry.reports.credit_report import CreditReport


def identity(session: Session, business: Business, now: datetime) -> dict[str, Any]:
    report = credit_report.build_report(session, business.id, now)
    return {
        "business": report["business"],
        "email": business.email,
        "mobile": business.mobile,
        "claimed_at": business.claimed_at,
    }


def whole_file(session: Session, business: Business, now: datetime) -> CreditReport:
    return credit_report.build_report(session, business.id, now)


def inquiries(business: Business) -> Select[datetime | None, str]:
    """Each paid pull of this business's report, newest first: when, and the puller's
    industry (never its name). Read from the report orders, paid or later refunded."""
    return (
        select(ReportOrder.paid_at, Member.industry)
        .join(Member, Member.id == ReportOrder.member_id)
        .where(
            ReportOrder.business_id == business.id,
            ReportOrder.paid_at.is_not(None),
            ReportOrder.status.in_([OrderStatus.PAID, OrderStatus.REFUNDED]),
        )
        .order_by(ReportOrder.paid_at.desc(), ReportOrder.id.desc())
    )
