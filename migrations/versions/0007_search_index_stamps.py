"""a random stamp for each generation of the index (a restored database is told apart)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("search_index_state", "search_index_changes"):
        op.add_column(
            table, sa.Column("stamp", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    for table in ("search_index_state", "search_index_changes"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("stamp")
