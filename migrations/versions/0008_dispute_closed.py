"""a dispute can be closed without a decision (its complaint was settled meanwhile)

The upgrade also closes the disputes left open on settled complaints before this release
(they sat in the admins' queue and could not be decided), each with an audit row.
The downgrade puts closed disputes back to open, as the release before this one kept
them; the audit rows stay (the log is append-only).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import registry.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_disputes_disputestatus"
BEFORE = ("open", "upheld", "rejected")
AFTER = (*BEFORE, "closed")
NOTE = (
    "closed without a decision by the upgrade to release 0008: the member had settled the complaint"
)

disputes = sa.table(
    "disputes",
    sa.column("id", sa.Integer()),
    sa.column("complaint_id", sa.Integer()),
    sa.column("status", sa.String(32)),
)
complaints = sa.table(
    "complaints", sa.column("id", sa.Integer()), sa.column("status", sa.String(32))
)
audit_log = sa.table(
    "audit_log",
    sa.column("at", registry.models.base.UTCDateTime(timezone=True)),
    sa.column("actor_kind", sa.String(20)),
    sa.column("actor_label", sa.String(254)),
    sa.column("entity_type", sa.String(40)),
    sa.column("entity_id", sa.String(64)),
    sa.column("action", sa.String(60)),
    sa.column("from_state", sa.String(32)),
    sa.column("to_state", sa.String(32)),
    sa.column("note", sa.Text()),
)


def _allow(statuses: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{s}'" for s in statuses)
    with op.batch_alter_table("disputes") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(CONSTRAINT), sa.text(f"status IN ({listed})"))


def upgrade() -> None:
    _allow(AFTER)
    bind = op.get_bind()
    settled = sa.select(complaints.c.id).where(complaints.c.status == "settled")
    moot = bind.execute(
        sa.select(disputes.c.id)
        .where(disputes.c.status == "open", disputes.c.complaint_id.in_(settled))
        .order_by(disputes.c.id)
    ).scalars()
    ids = list(moot)
    if not ids:
        return
    bind.execute(sa.update(disputes).where(disputes.c.id.in_(ids)).values(status="closed"))
    now = datetime.now(UTC)
    bind.execute(
        sa.insert(audit_log),
        [
            {
                "at": now,
                "actor_kind": "system",
                "actor_label": "registry",
                "entity_type": "dispute",
                "entity_id": str(dispute_id),
                "action": "closed",
                "from_state": "open",
                "to_state": "closed",
                "note": NOTE,
            }
            for dispute_id in ids
        ],
    )


def downgrade() -> None:
    op.execute(sa.update(disputes).where(disputes.c.status == "closed").values(status="open"))
    _allow(BEFORE)
