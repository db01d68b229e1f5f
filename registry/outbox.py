"""Email goes through the outbox: a row written in the same transaction as the change it
tells about, sent later by `registry worker`, retried with backoff, never dropped.

Delivery is at least once: a worker killed after the mail server accepted a message but
before `sent_at` committed sends it again after its restart, byte for byte, with the
Message-ID the row was given when it was queued ("Crash safety" in docs/operations.md)."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session

from registry import faults, language
from registry.channels.transports import Channel, PermanentFailure, TextMessage
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


#: The channels a row can name besides "email".
TEXT_CHANNELS = ("sms", "whatsapp")


def queue_text(
    session: Session, channel: str, kind: str, to: str, text: str, template: str | None = None
) -> OutboxMessage:
    """An SMS or WhatsApp message to a +91 mobile, sent by the worker like an email: its
    own row, its own retries, at least once."""
    if channel not in TEXT_CHANNELS:
        raise ValueError(f"unknown text channel {channel!r}")
    message = OutboxMessage(
        message_id=f"<{secrets.token_hex(16)}@khata-registry>",
        kind=kind,
        channel=channel,
        to_address=to,
        subject=template or "",
        body=text,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


#: A text as each reader reads it: one for all, a message translated for each reader
#: (`language.Said`), one per language code, or a function of the reader's language code.
Written = str | Mapping[str, str] | Callable[[str], str]


def _in(text: Written, code: str) -> str:
    if isinstance(text, language.Said):
        return language.said_in(text, code)
    if isinstance(text, str):
        return text
    if isinstance(text, Mapping):
        return text.get(code) or text[language.SOURCE]
    return text(code)


def email_admins(session: Session, kind: str, subject: Written, body: Written) -> int:
    """Email every active admin, each in the language it chose (`subject` and `body` may
    be written per language)."""
    admins = session.scalars(
        select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id)
    ).all()
    for admin in admins:
        code = language.of_user(admin)
        queue_email(
            session,
            kind,
            admin.email,
            _in(subject, code),
            _in(body, code),
        )
    return len(admins)


def _due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(_claimable(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def _claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
    )


def _claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """Start one attempt: lease the message and count the attempt with one compare-and-set
    UPDATE, committed *before* the mailer is called. From then until `sent_at` commits,
    the attempt's outcome is unknown if the worker dies. None if another round (or
    worker) sent or claimed it meanwhile."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _claimable(now))
        .values(locked_until=now + CLAIM, locked_by=WORKER, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    message = None
    if cast(CursorResult[Any], result).rowcount == 1:
        message = session.get(OutboxMessage, message_id, populate_existing=True)
    session.commit()
    return message


def _record(session: Session, message_id: int, **values: Any) -> None:
    """Write an attempt's outcome in a transaction of its own that starts with the write
    (SQLite cannot turn a reader whose snapshot went stale into a writer)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(locked_until=None, locked_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def recover_interrupted(session: Session) -> int:
    """At worker start: release the messages a stopped worker on this machine was sending
    (claimed, never marked sent) so they go out now rather than when their lease runs out.
    Their outcome is unknown, so they are sent again, with the same Message-ID (at least
    once; see "Crash safety" in docs/operations.md). A lease held by a worker that is still
    running (a rolling restart starts the new worker before the old one stops) or by a
    worker on another machine is left to run out: releasing it sent those emails twice.
    Returns how many; the caller commits."""
    held = session.execute(
        select(OutboxMessage.id, OutboxMessage.locked_by).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.locked_until.is_not(None)
        )
    ).all()
    gone = [message_id for message_id, owner in held if _owner_is_gone(owner)]
    count = 0
    if gone:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(gone), OutboxMessage.sent_at.is_(None))
            .values(locked_until=None, locked_by=None, last_error=INTERRUPTED)
            .execution_options(synchronize_session=False)
        )
        count = cast(CursorResult[Any], result).rowcount
    if count:
        log.warning("%d email(s) interrupted by a stopped worker will be sent again", count)
    return count


#: This process, as it signs the leases it takes.
WORKER = f"{socket.gethostname()}:{os.getpid()}"


def _owner_is_gone(owner: str | None) -> bool:
    """Whether the worker that took a lease has stopped: known only for a process on this
    machine (a lease without an owner predates owners and is treated as gone)."""
    if not owner:
        return True
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


INTERRUPTED = (
    "the worker stopped during this attempt, outcome unknown: sent again with the same Message-ID"
)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


class ChannelNotConfigured(Exception):
    """A text message whose channel has no URL: kept and retried, sent once one is set."""


def _send(message: OutboxMessage, mailer: Mailer, channels: Mapping[str, Channel | None]) -> None:
    if message.channel == "email":
        mailer.send(message)
        return
    channel = channels.get(message.channel)
    if channel is None:
        raise ChannelNotConfigured(f"{message.channel.upper()}_URL is not set")
    channel.send(TextMessage(message.id, message.to_address, message.body, message.template))


def deliver_due(
    session: Session,
    mailer: Mailer,
    limit: int = 100,
    channels: Mapping[str, Channel | None] | None = None,
) -> DeliveryReport:
    """Send what is due, at least once each. Commits per message (this is the worker, not
    a request): each attempt is claimed and counted first, and the message is marked sent
    only after the mailer accepted it, so a crash can resend a message (same Message-ID),
    never lose one."""
    report = DeliveryReport()
    candidates = _due_ids(session, utcnow(), limit)
    session.commit()
    for message_id in candidates:
        message = _claim(session, message_id, utcnow())
        if message is None:
            continue
        try:
            _send(message, mailer, channels or {})
        except PermanentFailure as exc:  # sending again cannot help: kept, marked failed
            _record(session, message_id, last_error=str(exc)[:2000], failed_at=utcnow())
            log.warning(
                "%s %s to %s rejected: %s", message.channel, message_id, message.to_address, exc
            )
            report.failed += 1
        except Exception as exc:  # any transport failure is retried later
            wait = BACKOFF[min(message.attempts - 1, len(BACKOFF) - 1)]
            error = f"{type(exc).__name__}: {exc}"[:2000]
            _record(session, message_id, last_error=error, next_attempt_at=utcnow() + wait)
            log.warning(
                "%s %s to %s failed: %s", message.channel, message_id, message.to_address, exc
            )
            report.failed += 1
        else:
            faults.pause("mail-sent")
            _record(session, message_id, sent_at=utcnow(), last_error=None)
            report.sent += 1
    return report
