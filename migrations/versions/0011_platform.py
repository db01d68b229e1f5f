"""API keys get scopes and an expiry; the audit log becomes a hash chain, append-only

Keys made before this release carry every scope their user's role allows (they could do
all of it before). Every existing audit row is chained, in id order, as
`registry.audit.record` chains new ones. On PostgreSQL a trigger refuses UPDATE, DELETE
and TRUNCATE on `audit_log` (docs/operations.md: the app's role must not own the table,
or it could drop the trigger).

Revision ID: 0011_platform
Revises: 0008
Create Date: 2026-12-04 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import registry.models.base
from registry.audit import CHAINED, GENESIS, entry_hash

revision: str = "0011_platform"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBER_SCOPES = "file reports search watch"
ADMIN_SCOPES = "admin file reports search watch"

audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", registry.models.base.UTCDateTime(timezone=True)),
    sa.column("actor_kind", sa.String(20)),
    sa.column("actor_user_id", sa.Integer()),
    sa.column("actor_label", sa.String(254)),
    sa.column("entity_type", sa.String(40)),
    sa.column("entity_id", sa.String(64)),
    sa.column("action", sa.String(60)),
    sa.column("from_state", sa.String(32)),
    sa.column("to_state", sa.String(32)),
    sa.column("note", sa.Text()),
    sa.column("prev_hash", sa.String(64)),
    sa.column("entry_hash", sa.String(64)),
)

REFUSE_CHANGE = """
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _chain_existing_rows() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            *[audit_log.c[name] for name in ("id", *CHAINED) if name != "prev_hash"]
        ).order_by(audit_log.c.id)
    ).mappings()
    previous = GENESIS
    updates = []
    for row in rows:
        values = {**row, "prev_hash": previous}
        digest = entry_hash(values)
        updates.append({"row_id": row["id"], "prev": previous, "digest": digest})
        previous = digest
    if updates:
        bind.execute(
            sa.update(audit_log)
            .where(audit_log.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("digest")),
            updates,
        )


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("scopes", sa.String(100), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("expires_at", registry.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    for role, scopes in (("member", MEMBER_SCOPES), ("admin", ADMIN_SCOPES)):
        op.execute(
            sa.text(
                "UPDATE api_keys SET scopes = :scopes WHERE user_id IN "
                "(SELECT id FROM users WHERE role = :role)"
            ).bindparams(scopes=scopes, role=role)
        )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("entry_hash", sa.String(64), nullable=True))
    _chain_existing_rows()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_CHANGE)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_refuse_change()")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("entry_hash")
        batch.drop_column("prev_hash")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("scopes")
