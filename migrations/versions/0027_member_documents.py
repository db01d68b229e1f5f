"""what an applicant proved: its GST registration (and Udyam) certificates

Revision ID: 0027_member_documents
Revises: 0026_rejudge_filing_aliases
Create Date: 2026-12-04 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.models.base import UTCDateTime

revision: str = "0027_member_documents"
down_revision: str | None = "0026_rejudge_filing_aliases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("stored_name", sa.String(64), nullable=False, unique=True),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_member_documents_member_id", "member_documents", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_member_documents_member_id", table_name="member_documents")
    op.drop_table("member_documents")
