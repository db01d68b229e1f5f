"""the search index's keys and words, and GSTINs, compared byte by byte on PostgreSQL
(collation "C", `registry.models.base.bytewise`): building and searching their indexes no
longer pays for the database's language collation

Revision ID: 0032_bytewise_index_columns
Revises: 0031_next_reminder_at
Create Date: 2026-12-07 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032_bytewise_index_columns"
down_revision: str | None = "0031_next_reminder_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, length) of each column made bytewise.
COLUMNS = (
    ("business_keys", "key", 128),
    ("business_keys", "city", 100),
    ("name_vocabulary", "variant", 64),
    ("name_vocabulary", "spelling", 64),
    ("name_vocabulary", "token", 64),
    ("name_token_stats", "token", 64),
    ("business_gstins", "gstin", 15),
)


def _collate(collation: str | None) -> None:
    # SQLite compares strings byte by byte already, and has no collation named "C"
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length in COLUMNS:
        # the table is not rewritten (the type stays varchar), its indexes are rebuilt
        op.alter_column(table, column, type_=sa.String(length, collation=collation))


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate(None)
