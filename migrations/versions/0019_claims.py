"""claims: a business's contacts carry their source; claims and business tokens. Emails
that filings stored on businesses move onto the complaint that gave them

Every email on a business before this revision came from a filing (the directory load
had no email column), so none is authoritative: each is copied onto the business's
earliest complaint that has no email of its own (the filing that set it), then cleared.

Revision ID: 0019_claims
Revises: 0023_debtor_mobile (complaints.debtor_mobile comes from there)
Create Date: 2026-12-04 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.models.base import UTCDateTime

revision: str = "0019_claims"
down_revision: str | None = "0023_debtor_mobile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("businesses") as batch:
        batch.add_column(sa.Column("mobile", sa.String(16), nullable=True))
        batch.add_column(sa.Column("contacts_source", sa.String(16), nullable=True))
        batch.add_column(sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True))
    op.execute(
        """
        UPDATE complaints SET debtor_email = (
            SELECT b.email FROM businesses b WHERE b.id = complaints.business_id
        )
        WHERE debtor_email IS NULL
          AND id = (SELECT MIN(c.id) FROM complaints c WHERE c.business_id = complaints.business_id)
          AND EXISTS (
            SELECT 1 FROM businesses b WHERE b.id = complaints.business_id AND b.email IS NOT NULL
          )
        """
    )
    op.execute("UPDATE businesses SET email = NULL WHERE contacts_source IS NULL")
    op.create_table(
        "business_claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("businesses.id"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("sent_to", sa.String(254), nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimant_email", sa.String(254), nullable=True),
        sa.Column("note", sa.String(2000), nullable=True),
        sa.Column("document_name", sa.String(255), nullable=True),
        sa.Column("document_stored", sa.String(80), nullable=True),
        sa.Column("document_type", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_business_claims_business_id", "business_claims", ["business_id"])
    op.create_table(
        "business_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("business_id", sa.Integer(), sa.ForeignKey("businesses.id"), nullable=False),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("business_claims.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_business_tokens_business_id", "business_tokens", ["business_id"])


def downgrade() -> None:
    op.drop_index("ix_business_tokens_business_id", "business_tokens")
    op.drop_table("business_tokens")
    op.drop_index("ix_business_claims_business_id", "business_claims")
    op.drop_table("business_claims")
    with op.batch_alter_table("businesses") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("contacts_source")
        batch.drop_column("mobile")
