"""the names filings gave businesses before names had provenance wait to be re-judged

Revision ID: 0026_rejudge_filing_aliases
Revises: 0025_name_as_reported
Create Date: 2026-12-04 19:20:00

Before provenance, every filing's spelling became a search name (source `filing`). They
are marked `filing_unjudged` here; `registry.directory.aliases.rejudge` (run by `registry
init-db` right after migrating, and by the worker) keeps the close ones as
`filing_matched` and moves the rest to their complaints "as reported". The judging needs
the name matcher and the search index, so it runs in the application, not in SQL.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026_rejudge_filing_aliases"
down_revision: str | None = "0025_name_as_reported"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE business_aliases SET source = 'filing_unjudged' WHERE source = 'filing'")


def downgrade() -> None:
    op.execute("UPDATE business_aliases SET source = 'filing' WHERE source = 'filing_unjudged'")
