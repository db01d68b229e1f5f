"""an outbox lease names the worker holding it, so a starting worker releases only the
leases of a stopped one

Revision ID: 0017_outbox_lease_owner
Revises: 0016_accounts
Create Date: 2026-12-04 14:22:05.921319
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_outbox_lease_owner"
down_revision: str | None = "0016_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("locked_by")
