"""a dispute can be decided "corrected": the amount that stands, with both figures kept

Revision ID: 0014_dispute_corrected
Revises: 0013_order_failed
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_dispute_corrected"
down_revision: str | None = "0013_order_failed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_disputes_disputestatus"
BEFORE = ("open", "upheld", "rejected", "closed")
AFTER = (*BEFORE, "corrected")

disputes = sa.table("disputes", sa.column("status", sa.String(32)))


def _allow(statuses: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{s}'" for s in statuses)
    with op.batch_alter_table("disputes") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(CONSTRAINT), sa.text(f"status IN ({listed})"))


def upgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(sa.Column("corrected_from_paise", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("corrected_to_paise", sa.Integer(), nullable=True))
    _allow(AFTER)


def downgrade() -> None:
    # The release before this one knew no partial decision: a corrected dispute reads as
    # rejected (its complaint stays listed, at the corrected amount).
    op.execute(
        sa.update(disputes).where(disputes.c.status == "corrected").values(status="rejected")
    )
    _allow(BEFORE)
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("corrected_to_paise")
        batch.drop_column("corrected_from_paise")
