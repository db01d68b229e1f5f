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


def schedule(complaint: Complaint) -> None:
    """Set when the complaint's next reminder is due: while it is in notice with a reminder
    still to send, the first of `due_times` not yet sent; otherwise none."""
    sent_at, ends_at = complaint.notice_sent_at, complaint.notice_ends_at
    if (
        complaint.status is ComplaintStatus.IN_NOTICE
        and sent_at is not None
        and ends_at is not None
        and complaint.reminders_sent < REMINDERS
    ):
        complaint.next_reminder_at = due_times(sent_at, ends_at)[complaint.reminders_sent]
    else:
        complaint.next_reminder_at = None


def send_due_reminders(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Queue the reminders that are due; returns how many. Each is sent once, to the
    contacts the notice went to (the complaint's and the business's own). A round reads
    only the complaints whose next reminder is due (`Complaint.next_reminder_at`)."""
    now = now or utcnow()
    waiting = session.scalars(
        select(Complaint)
        .where(
            Complaint.next_reminder_at <= now,
            Complaint.status == ComplaintStatus.IN_NOTICE,
            Complaint.notice_ends_at > now,
            Complaint.notice_nonce.is_not(None),
        )
        .order_by(Complaint.id)
    ).all()
    sent = 0
    for complaint in waiting:
        assert complaint.notice_sent_at is not None and complaint.notice_ends_at is not None
        times = due_times(complaint.notice_sent_at, complaint.notice_ends_at)
        # the last one due: a worker that was away sends one reminder, not two at once
        number = sum(1 for t in times if t <= now)
        if number <= complaint.reminders_sent:
            schedule(complaint)
            continue
        to = recipients.notice_recipients(session, complaint)
        if not to:  # it stays due: it goes if a contact comes on record in time
            continue
        token = links.token_for(complaint, settings.secret_key)
        recipients.fan_out(
            session,
            to,
            "notice_reminder",
            notice_versions(settings, complaint, token, now.date(), reminder=number),
        )
        complaint.reminders_sent = number
        schedule(complaint)
        audit.record(
            session, SYSTEM, "complaint", complaint.id, "reminder_sent", note=f"reminder {number}"
        )
        sent += 1
    session.flush()
    return sent
