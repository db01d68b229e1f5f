"""A credit report gathers its legal entity (every record holding a GSTIN or the PAN of the
same PAN) by looking the PAN up in `ix_business_gstins_pan`, not by reading every GSTIN on
the registry: at a million businesses that read was most of a paid report's time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from registry.actors import SYSTEM
from registry.directory import businesses
from registry.identifiers import gstin_for
from registry.reports.credit_report import build_report, gstins_under

PAN = "ABCFL1234K"


def test_a_report_lists_every_gstin_of_its_pan_held_by_any_record(db):
    gujarat = businesses.create(db, SYSTEM, "Laxmi Traders", gstin=gstin_for("24", PAN))
    businesses.create(db, SYSTEM, "Laxmi Traders Pune", gstin=gstin_for("27", PAN))
    businesses.create(db, SYSTEM, "Other Firm", gstin=gstin_for("27", "ABCFO9999Z"))
    report = build_report(db, gujarat.id, datetime.now(UTC))
    assert report["business"]["gstins"] == sorted([gstin_for("24", PAN), gstin_for("27", PAN)])
    assert "Laxmi Traders Pune" in report["business"]["aliases"]


def test_the_look_up_by_pan_uses_the_index(db):
    """Planned as it runs: on SQLite with the statement's own parameters (an index on an
    expression is used only when the query writes the expression's constants out)."""
    statement = gstins_under([PAN, "ABCFO9999Z"])
    dialect = db.get_bind().dialect
    if dialect.name == "postgresql":
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        db.execute(text("SET LOCAL enable_seqscan = off"))  # the tables are tiny here
        plan = "\n".join(db.scalars(text("EXPLAIN " + sql)))
    else:
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        cursor = db.connection().connection.driver_connection.cursor()
        params = [compiled.params[name] for name in compiled.positiontup]
        rows = cursor.execute("EXPLAIN QUERY PLAN " + str(compiled), params).fetchall()
        plan = "\n".join(str(row[-1]) for row in rows)
    assert "ix_business_gstins_pan" in plan
