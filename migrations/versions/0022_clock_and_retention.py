"""disputes remember which of the admins' clock reminders (day 20, day 28) were sent;
complaints remember when retention erased their personal data

Revision ID: 0022_clock_and_retention
Revises: 0020_integrity
Create Date: 2026-12-04 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import registry.models.base

revision: str = "0022_clock_and_retention"
down_revision: str | None = "0020_integrity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(
            sa.Column("clock_reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(
            sa.Column("erased_at", registry.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("clock_reminders_sent")
