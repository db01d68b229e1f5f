"""a report order can be failed: the gateway declined a payment attempt

Revision ID: 0013_order_failed
Revises: 0012_tax_invoices
Create Date: 2026-12-04 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_order_failed"
down_revision: str | None = "0012_tax_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_report_orders_orderstatus"
BEFORE = ("pending", "paid", "refunded", "expired")
AFTER = (*BEFORE, "failed")

report_orders = sa.table("report_orders", sa.column("status", sa.String(32)))


def _allow(statuses: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{s}'" for s in statuses)
    with op.batch_alter_table("report_orders") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(CONSTRAINT), sa.text(f"status IN ({listed})"))


def upgrade() -> None:
    _allow(AFTER)


def downgrade() -> None:
    # A failed order's checkout was still open: the release before this one called it pending.
    op.execute(
        sa.update(report_orders).where(report_orders.c.status == "failed").values(status="pending")
    )
    _allow(BEFORE)
