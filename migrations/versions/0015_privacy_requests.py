"""requests for access, correction or erasure of personal data, answered within 90 days

Revision ID: 0015_privacy_requests
Revises: 0014_dispute_corrected
Create Date: 2026-12-04 13:56:10.062562
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import registry.models.base

revision: str = "0015_privacy_requests"
down_revision: str | None = "0014_dispute_corrected"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "access",
                "correction",
                "erasure",
                name="privacyrequestkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "answered",
                name="privacyrequeststatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("received_at", registry.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", registry.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", registry.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "overdue_notified_at", registry.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("answered_at", registry.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_user_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_user_id"],
            ["users.id"],
            name=op.f("fk_privacy_requests_answered_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_requests_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_requests_status"))

    op.drop_table("privacy_requests")
