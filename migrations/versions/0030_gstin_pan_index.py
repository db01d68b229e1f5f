"""an index on the PAN inside each GSTIN, so a credit report finds its legal entity's GSTINs
by look-up instead of reading every GSTIN on the registry (LIKE '__<PAN>%')

Revision ID: 0030_gstin_pan_index
Revises: 0029_audit_note_values
Create Date: 2026-12-05 16:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_gstin_pan_index"
down_revision: str | None = "0029_audit_note_values"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On SQLite, a later migration that rebuilds business_gstins (batch mode) must create
    # this index again: SQLite's reflection cannot see an index on an expression.
    op.create_index("ix_business_gstins_pan", "business_gstins", [sa.text("substr(gstin, 3, 10)")])


def downgrade() -> None:
    op.drop_index("ix_business_gstins_pan", table_name="business_gstins")
