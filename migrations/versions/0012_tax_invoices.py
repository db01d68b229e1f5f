"""GST tax invoices and credit notes for report orders, numbered per financial year

Revision ID: 0012_tax_invoices
Revises: 0011_platform
Create Date: 2026-12-04 13:22:45.290712
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import registry.models.base

revision: str = "0012_tax_invoices"
down_revision: str | None = "0011_platform"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tax_document_series",
        sa.Column(
            "kind",
            sa.Enum(
                "invoice",
                "credit_note",
                name="taxdocumentkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "financial_year", name=op.f("pk_tax_document_series")),
    )
    op.create_table(
        "tax_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "invoice",
                "credit_note",
                name="taxdocumentkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("financial_year", sa.String(length=7), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("issued_at", registry.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("amount_paise", sa.Integer(), nullable=False),
        sa.Column("buyer_name", sa.String(length=300), nullable=False),
        sa.Column("buyer_gstin", sa.String(length=15), nullable=False),
        sa.CheckConstraint("amount_paise > 0", name=op.f("ck_tax_documents_amount_positive")),
        sa.CheckConstraint("number > 0", name=op.f("ck_tax_documents_number_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["report_orders.id"], name=op.f("fk_tax_documents_order_id_report_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_documents")),
        sa.UniqueConstraint(
            "kind",
            "financial_year",
            "number",
            name=op.f("uq_tax_documents_kind_financial_year_number"),
        ),
        sa.UniqueConstraint("order_id", "kind", name=op.f("uq_tax_documents_order_id_kind")),
    )
    with op.batch_alter_table("tax_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tax_documents_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tax_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_documents_order_id"))

    op.drop_table("tax_documents")
    op.drop_table("tax_document_series")
