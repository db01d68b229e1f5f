"""an audit note's catalogue text and values beside its English, so a complaint's history
reads in its reader's language ("notice sent to ..." in Hindi)

Revision ID: 0029_audit_note_values
Revises: 0028_user_language
Create Date: 2026-12-04 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_audit_note_values"
down_revision: str | None = "0028_user_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the log's rows and triggers stay as they are.
    op.add_column("audit_log", sa.Column("note_values", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_log", "note_values")
