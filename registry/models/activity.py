"""What happened and what is to be sent: the audit log, the email outbox, watches."""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry import language
from registry.models.base import Base, utcnow


class AuditEntry(Base):
    """Append-only: services insert rows and nothing ever updates or deletes one (on
    PostgreSQL a trigger refuses it). Each row carries the hash of the row before it and
    its own (`registry.audit.entry_hash`), so a changed or removed row breaks the chain."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    #: The note as a catalogue text and its values (JSON, `registry.language.stored`) when
    #: it was written with values, so a page shows it in its reader's language.
    note_values: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))

    @property
    def shown_note(self) -> str | None:
        """The note as a page shows it: a `Said` (translated there) when it was written
        with its catalogue text, else the words as written."""
        if self.note_values:
            return cast(str, language.restored(json.loads(self.note_values)))
        return self.note


class OutboxMessage(Base):
    """An email waiting to be sent by `registry worker`; kept after sending."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)
    #: `channel` is read back when used, not RETURNed by every INSERT (see `channel`).
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    #: Which worker holds the lease ("host:pid"), so a worker starting on the same machine
    #: releases only the leases of a process that is gone (a rolling restart's old worker
    #: is still sending them).
    locked_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    #: When a provider rejected the message for good (a 4xx): not retried, reason in
    #: `last_error`. The row stays, so nothing is lost silently.
    failed_at: Mapped[datetime | None]
    #: "email", "sms" or "whatsapp". A text message keeps its words in `body`, its mobile
    #: number (+91...) in `to_address`, and in `subject` the provider template it was
    #: registered under (a DLT template id for SMS, an approved template name for
    #: WhatsApp; "" for none). The database fills in "email": no Python default, so code
    #: that predates this column leaves it out of its INSERTs.
    channel: Mapped[str] = mapped_column(String(16), server_default="email")

    @property
    def template(self) -> str | None:
        return None if self.channel == "email" else (self.subject or None)


class Watch(Base):
    __tablename__ = "watches"
    __table_args__ = (UniqueConstraint("member_id", "business_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
