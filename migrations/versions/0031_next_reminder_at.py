"""complaints.next_reminder_at: when the debtor's next reminder is due, indexed, so that a
worker round reads the complaints whose reminder is due instead of every complaint in
notice (filled here for those in notice now)

Revision ID: 0031_next_reminder_at
Revises: 0030_gstin_pan_index
Create Date: 2026-12-06 03:20:00
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

import registry.models.base

revision: str = "0031_next_reminder_at"
down_revision: str | None = "0030_gstin_pan_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The reminders' schedule as this revision knows it
#: (`registry.complaints.notices.reminders.due_times`): at half the notice period, and two
#: days before its end (at 85% of a period shorter than two weeks).
REMINDERS = 2


def due_times(sent_at: datetime, ends_at: datetime) -> list[datetime]:
    period = ends_at - sent_at
    second = (
        ends_at - timedelta(days=2) if period >= timedelta(days=14) else sent_at + period * 0.85
    )
    return [sent_at + period / 2, second]


UTC_DATETIME = registry.models.base.UTCDateTime(timezone=True)
complaints = sa.table(
    "complaints",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String(32)),
    sa.column("notice_sent_at", UTC_DATETIME),
    sa.column("notice_ends_at", UTC_DATETIME),
    sa.column("reminders_sent", sa.Integer()),
    sa.column("next_reminder_at", UTC_DATETIME),
)


def upgrade() -> None:
    op.add_column("complaints", sa.Column("next_reminder_at", UTC_DATETIME, nullable=True))
    op.create_index(
        op.f("ix_complaints_next_reminder_at"), "complaints", ["next_reminder_at"], unique=False
    )
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(
            complaints.c.id,
            complaints.c.notice_sent_at,
            complaints.c.notice_ends_at,
            complaints.c.reminders_sent,
        ).where(
            complaints.c.status == "in_notice",
            complaints.c.reminders_sent < REMINDERS,
            complaints.c.notice_sent_at.is_not(None),
            complaints.c.notice_ends_at.is_not(None),
        )
    ).all()
    schedule = [
        {"complaint_id": complaint_id, "due": due_times(sent_at, ends_at)[reminders_sent]}
        for complaint_id, sent_at, ends_at, reminders_sent in waiting
    ]
    if schedule:  # one statement, its rows sent together (executemany)
        bind.execute(
            sa.update(complaints)
            .where(complaints.c.id == sa.bindparam("complaint_id"))
            .values(next_reminder_at=sa.bindparam("due")),
            schedule,
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_complaints_next_reminder_at"), table_name="complaints")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("next_reminder_at")
