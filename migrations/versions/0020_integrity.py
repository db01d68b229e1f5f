"""integrity: an invoice number is unique per member and financial year (whichever
debtor it names); idempotency keys of filings and orders; one business per new PAN

Revision ID: 0020_integrity
Revises: 0019_claims
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0020_integrity"
down_revision: str | None = "0019_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _financial_year(day: date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _fill_financial_years() -> None:
    invoices = sa.table(
        "invoices",
        sa.column("id", sa.Integer),
        sa.column("member_id", sa.Integer),
        sa.column("number", sa.String),
        sa.column("number_key", sa.String),
        sa.column("invoice_date", sa.Date),
        sa.column("financial_year", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            invoices.c.id, invoices.c.member_id, invoices.c.number_key, invoices.c.invoice_date
        )
    ).all()
    seen: dict[tuple[int, str, str], int] = {}
    clashes: list[str] = []
    for id_, member_id, key, day in rows:
        year = _financial_year(day)
        if (member_id, year, key) in seen:
            clashes.append(
                f"member {member_id}: {key} ({year}), invoices {seen[(member_id, year, key)]} and {id_}"
            )
        seen[(member_id, year, key)] = id_
        bind.execute(sa.update(invoices).where(invoices.c.id == id_).values(financial_year=year))
    if clashes:
        raise RuntimeError(
            "These members reported one invoice number against two debtors in one financial "
            "year; withdraw or correct one of each pair before upgrading: " + "; ".join(clashes)
        )


def upgrade() -> None:
    op.create_table(
        "idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_idempotent_requests_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_requests")),
        sa.UniqueConstraint(
            "member_id", "scope", "key", name=op.f("uq_idempotent_requests_member_id_scope_key")
        ),
    )
    op.create_index(
        op.f("ix_idempotent_requests_created_at"), "idempotent_requests", ["created_at"]
    )
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("financial_year", sa.String(7), nullable=True))
    _fill_financial_years()
    op.create_table(
        "pan_holders",
        sa.Column("pan", sa.String(length=10), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_pan_holders_business_id_businesses")
        ),
        sa.PrimaryKeyConstraint("pan", name=op.f("pk_pan_holders")),
    )
    op.create_index(op.f("ix_pan_holders_business_id"), "pan_holders", ["business_id"])
    # Each PAN on the registry is held by its oldest live business.
    op.execute(
        "INSERT INTO pan_holders (pan, business_id) SELECT pan, MIN(id) FROM businesses "
        "WHERE pan IS NOT NULL AND merged_into_id IS NULL GROUP BY pan"
    )
    with op.batch_alter_table("invoices") as batch:
        batch.alter_column("financial_year", existing_type=sa.String(7), nullable=False)
        batch.drop_constraint("uq_invoices_member_id_business_id_number_key", type_="unique")
        batch.create_unique_constraint(
            "uq_invoices_member_id_financial_year_number_key",
            ["member_id", "financial_year", "number_key"],
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_pan_holders_business_id"), table_name="pan_holders")
    op.drop_table("pan_holders")
    op.drop_index(op.f("ix_idempotent_requests_created_at"), table_name="idempotent_requests")
    op.drop_table("idempotent_requests")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint("uq_invoices_member_id_financial_year_number_key", type_="unique")
        batch.create_unique_constraint(
            "uq_invoices_member_id_business_id_number_key",
            ["member_id", "business_id", "number_key"],
        )
        batch.drop_column("financial_year")
