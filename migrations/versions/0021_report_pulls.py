"""who looked and fresh reports: a log of report pulls, each report generation's version
with its verification code, and the member setting to be named to the businesses it looks at

Revision ID: 0021_report_pulls
Revises: 0018_reach
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import registry.models.base

UTC_DATETIME = registry.models.base.UTCDateTime(timezone=True)

revision: str = "0021_report_pulls"
down_revision: str | None = "0018_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_pulls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("businesses.id"), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("report_orders.id"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("pulled_at", UTC_DATETIME, nullable=False),
        sa.Column("alerted", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_report_pulls_member_id", "report_pulls", ["member_id"])
    op.create_index("ix_report_pulls_business_at", "report_pulls", ["business_id", "pulled_at"])
    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("report_orders.id"), nullable=False),
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("businesses.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("generated_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_report_versions_order_id", "report_versions", ["order_id"])
    op.create_index("ix_report_versions_business_id", "report_versions", ["business_id"])
    with op.batch_alter_table("report_snapshots") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("members") as batch:
        batch.add_column(
            sa.Column("named_in_inquiries", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("named_in_inquiries")
    with op.batch_alter_table("report_snapshots") as batch:
        batch.drop_column("version")
    op.drop_table("report_versions")
    op.drop_table("report_pulls")
