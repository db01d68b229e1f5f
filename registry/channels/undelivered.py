"""What the outbox could not deliver, for the admins.

A message a provider refused for good (`failed_at`: an unknown number, an unapproved
template) is never retried on its own, and one that keeps failing (`STUCK_AFTER`
attempts, a provider down) is still being retried: both are listed for the admins, who
can send a refused one again once its cause is mended (a template approved, a channel
configured). Sending again is audited; the message keeps its id, so a provider that did
receive it once sees the same message.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import Actor
from registry.errors import InvalidTransition, NotFound
from registry.models import OutboxMessage, utcnow

#: A message still unsent after this many attempts is shown as stuck.
STUCK_AFTER = 3


def query() -> Any:
    """Messages refused for good or stuck, newest first."""
    return (
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.failed_at.is_not(None), OutboxMessage.attempts >= STUCK_AFTER),
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )


def send_again(session: Session, message_id: int, actor: Actor) -> OutboxMessage:
    """Put a message a provider refused back in the queue, due now."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"No message {message_id}.")
    if message.sent_at is not None or message.failed_at is None:
        state = "sent" if message.sent_at is not None else "queued"
        raise InvalidTransition("message", state, "queued")
    reason = message.last_error or ""
    message.failed_at = None
    message.next_attempt_at = utcnow()
    message.locked_until = None
    message.locked_by = None
    session.flush()
    audit.record(
        session,
        actor,
        "outbox_message",
        message.id,
        "send_again",
        note=f"{message.channel} {message.kind}; it had failed: {reason}"[:2000],
    )
    return message
