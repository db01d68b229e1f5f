"""stored normal names; the key index covers the business id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 22:23:37.726754
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing names get their rows as they are indexed again (`registry reindex` does all
    # at once); until then a search normalises them as before.
    op.create_table(
        "normal_names",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("encoded", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "name", "version", name=op.f("pk_normal_names"), postgresql_include=["encoded"]
        ),
    )
    op.drop_index("ix_business_keys_key_city", table_name="business_keys")
    op.create_index("ix_business_keys_key_city", "business_keys", ["key", "city", "business_id"])


def downgrade() -> None:
    op.drop_index("ix_business_keys_key_city", table_name="business_keys")
    op.create_index("ix_business_keys_key_city", "business_keys", ["key", "city"])
    op.drop_table("normal_names")
