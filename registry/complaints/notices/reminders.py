"""Two reminders to the debtor before the notice period ends: at half the period and
two days before its end (or at 85% of a period shorter than two weeks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import SYSTEM
from registry.complaints.notices import links, recipients
from registry.complaints.notices.mail import notice_versions
from registry.models import Complaint, ComplaintStatus, utcnow
from registry.settings import Settings

REMINDERS = 2


def due_times(sent_at: datetime, ends_at: datetime) -> list[datetime]:
    period = ends_at - sent_at
    second = (
        ends_at - timedelta(days=2) if period >= timedelta(days=14) else sent_at + period * 0.85
    )
    return [sent_at + period / 2, second]


def send_due_reminders(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Queue the reminders that are due; returns how many. Each is sent once."""
    now = now or utcnow()
    waiting = session.scalars(
        select(Complaint).where(
            Complaint.status == ComplaintStatus.IN_NOTICE,
            Complaint.reminders_sent < REMINDERS,
            Complaint.notice_ends_at > now,
            Complaint.notice_nonce.is_not(None),
        )
    ).all()
    sent = 0
    for complaint in waiting:
        assert complaint.notice_sent_at is not None and complaint.notice_ends_at is not None
        times = due_times(complaint.notice_sent_at, complaint.notice_ends_at)
        due = sum(1 for t in times if t <= now)
        if due <= complaint.reminders_sent or not (
            complaint.debtor_email or complaint.debtor_mobile
        ):
            continue
        number = due
        token = links.token_for(complaint, settings.secret_key)
        recipients.fan_out(
            session,
            recipients.notice_recipients(session, complaint),
            "notice_reminder",
            notice_versions(settings, complaint, token, now.date(), reminder=number),
        )
        complaint.reminders_sent = number
        audit.record(
            session, SYSTEM, "complaint", complaint.id, "reminder_sent", note=f"reminder {number}"
        )
        sent += 1
    session.flush()
    return sent
