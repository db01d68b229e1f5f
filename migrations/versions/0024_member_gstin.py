"""only an active (or suspended) member holds a GSTIN: a pending or rejected application
no longer blocks the real owner

Revision ID: 0024_member_gstin
Revises: 0022_clock_and_retention
Create Date: 2026-12-04 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_member_gstin"
down_revision: str | None = "0022_clock_and_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOLDING = "status IN ('active', 'suspended')"


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_constraint("uq_members_gstin", type_="unique")
    op.create_index("ix_members_gstin", "members", ["gstin"])
    op.create_index(
        "uq_members_gstin_holding",
        "members",
        ["gstin"],
        unique=True,
        sqlite_where=sa.text(HOLDING),
        postgresql_where=sa.text(HOLDING),
    )


def downgrade() -> None:
    op.drop_index("uq_members_gstin_holding", table_name="members")
    op.drop_index("ix_members_gstin", table_name="members")
    with op.batch_alter_table("members") as batch:
        batch.create_unique_constraint("uq_members_gstin", ["gstin"])
