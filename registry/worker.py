"""`registry worker`: sends the outbox and applies the moves that time makes."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session, sessionmaker

from registry import complaints, disputes, faults, orders, outbox, reminders
from registry.mailer import Mailer
from registry.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Round:
    listed: int = 0
    reminders: int = 0
    disputes_overdue: int = 0
    orders_expired: int = 0
    emails_sent: int = 0
    emails_failed: int = 0


def run_once(sessions: sessionmaker[Session], mailer: Mailer, settings: Settings) -> Round:
    """One round: time-based transitions first (they queue emails), then the outbox."""
    result = Round()
    with sessions() as session:
        with session.begin():
            result.reminders = reminders.send_due_reminders(session, settings)
            result.listed = complaints.list_notice_period_over(session)
            result.disputes_overdue = disputes.flag_overdue(session)
            result.orders_expired = orders.expire_overdue(session)
            faults.pause("worker-round")
        delivered = outbox.deliver_due(session, mailer)
    result.emails_sent, result.emails_failed = delivered.sent, delivered.failed
    return result


def run_forever(
    sessions: sessionmaker[Session], mailer: Mailer, settings: Settings, interval: float = 5.0
) -> None:
    log.info("worker started")
    try:
        with sessions.begin() as session:
            outbox.recover_interrupted(session)
    except Exception:  # the database is away: the claims expire on their own instead
        log.exception("could not release emails interrupted by a stopped worker")
    while True:
        try:
            done = run_once(sessions, mailer, settings)
            if any(asdict(done).values()):
                log.info("worker round: %s", asdict(done))
        except Exception:
            log.exception("worker round failed; retrying")
        time.sleep(interval)
