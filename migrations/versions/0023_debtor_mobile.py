"""the complaint's own debtor mobile (given by the reporter, used for this complaint's
SMS and WhatsApp messages only); outbox rows a provider rejected for good (failed_at)

Revision ID: 0023_debtor_mobile
Revises: 0021_report_pulls
Create Date: 2026-12-04 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.models.base import UTCDateTime

revision: str = "0023_debtor_mobile"
down_revision: str | None = "0021_report_pulls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("debtor_mobile", sa.String(16), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("failed_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("failed_at")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("debtor_mobile")
