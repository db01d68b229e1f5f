"""outbox rows for SMS and WhatsApp beside email: each row names its channel (a text
message keeps its provider template in `subject`)

Revision ID: 0018_reach
Revises: 0017_outbox_lease_owner
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_reach"
down_revision: str | None = "0017_outbox_lease_owner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(16), nullable=False, server_default="email")
        )


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE channel <> 'email'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("channel")
