"""What a claimed business sees of itself: its identity and contacts, its whole file and
score (free, the paid report's shape), and who pulled its report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from registry.models import Business
from registry.reports import credit_report
from registry.reports import inquiries as inquiries_log
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


def inquiries(session: Session, business: Business) -> list[inquiries_log.Inquiry]:
    """Who pulled this business's report, newest first: one line per enquirer and day,
    with the enquirer's industry and state, and its name only where it agreed."""
    return inquiries_log.inquiries_for(session, business.id)
