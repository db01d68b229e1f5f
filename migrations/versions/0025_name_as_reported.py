"""a complaint keeps the debtor's name as its reporter typed it (not every spelling becomes
a search name of the business)

Revision ID: 0025_name_as_reported
Revises: 0024_member_gstin
Create Date: 2026-12-04 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_name_as_reported"
down_revision: str | None = "0024_member_gstin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("debtor_name_as_reported", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("debtor_name_as_reported")
