"""the index's generation and its list of changes (for web workers' copies of the index)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    state = op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("kept_from", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_state")),
    )
    op.create_table(
        "search_index_changes",
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("generation", "business_id", name=op.f("pk_search_index_changes")),
    )
    # Generation 1 lists "everything": a copy made from an index older than this
    # revision is reloaded whole.
    op.bulk_insert(state, [{"id": 1, "generation": 1, "kept_from": 1}])
    op.execute("INSERT INTO search_index_changes (generation, business_id) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("search_index_changes")
    op.drop_table("search_index_state")
