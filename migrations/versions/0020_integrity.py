"""integrity: an invoice number is unique per member and financial year (whichever
debtor it names); idempotency keys of filings and orders

Revision ID: 0020_integrity
Revises: 0018_reach
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0020_integrity"
down_revision: str | None = "0018_reach"
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
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("financial_year", sa.String(7), nullable=True))
    _fill_financial_years()
    with op.batch_alter_table("invoices") as batch:
        batch.alter_column("financial_year", existing_type=sa.String(7), nullable=False)
        batch.drop_constraint("uq_invoices_member_id_business_id_number_key", type_="unique")
        batch.create_unique_constraint(
            "uq_invoices_member_id_financial_year_number_key",
            ["member_id", "financial_year", "number_key"],
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint("uq_invoices_member_id_financial_year_number_key", type_="unique")
        batch.create_unique_constraint(
            "uq_invoices_member_id_business_id_number_key",
            ["member_id", "business_id", "number_key"],
        )
        batch.drop_column("financial_year")
