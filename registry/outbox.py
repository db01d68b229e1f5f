"""Email goes through the outbox: a row written in the same transaction as the change it
tells about, sent later by `registry worker`, retried with backoff, never dropped."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from registry.mailer import Mailer
from registry.models import OutboxMessage, Role, User, utcnow

log = logging.getLogger(__name__)

#: Waits between attempts; the last one repeats until the message goes out.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
CLAIM = timedelta(minutes=5)


def queue_email(session: Session, kind: str, to: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(
        message_id=f"<{secrets.token_hex(16)}@khata-registry>",
        kind=kind,
        to_address=to,
        subject=subject,
        body=body,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def email_admins(session: Session, kind: str, subject: str, body: str) -> int:
    admins = session.scalars(
        select(User.email).where(User.role == Role.ADMIN, User.is_active.is_(True))
    ).all()
    for email in admins:
        queue_email(session, kind, email, subject, body)
    return len(admins)


def _claim_due(session: Session, now: datetime, limit: int) -> Sequence[OutboxMessage]:
    """Lock a batch of due messages for this worker (SKIP LOCKED where the database has it)."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    batch = session.scalars(query).all()
    for message in batch:
        message.locked_until = now + CLAIM
    session.flush()
    return batch


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def deliver_due(session: Session, mailer: Mailer, limit: int = 100) -> DeliveryReport:
    """Send what is due. Commits per message (this is the worker, not a request): a message
    is marked sent only after the mailer accepted it, so a crash can resend, never lose."""
    report = DeliveryReport()
    now = utcnow()
    batch = _claim_due(session, now, limit)
    ids = [m.id for m in batch]
    session.commit()
    for message_id in ids:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.sent_at is not None:
            continue
        try:
            mailer.send(message)
        except Exception as exc:  # any transport failure is retried later
            attempt = message.attempts
            wait = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(
                    attempts=attempt + 1,
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    next_attempt_at=utcnow() + wait,
                    locked_until=None,
                )
            )
            log.warning("email %s to %s failed: %s", message_id, message.to_address, exc)
            report.failed += 1
        else:
            message.attempts += 1
            message.sent_at = utcnow()
            message.locked_until = None
            message.last_error = None
            report.sent += 1
        session.commit()
    return report
