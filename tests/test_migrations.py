"""The migrations are the schema: they must build exactly what the models describe."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry import audit, migrate
from registry.actors import Actor
from registry.complaints import disputes, filing
from registry.db import make_engine, make_sessionmaker
from registry.models import Base, ComplaintStatus, Dispute, DisputeStatus
from tests.conftest import PDF, Factory, filing_request


def at_head(database_server):
    """A new database migrated to the newest revision: its Alembic configuration (to go
    down and up again) and an engine on it. A migration's test makes its data with today's
    models, at the newest schema, then takes the schema back with it."""
    url = database_server.new_url()
    config = migrate.alembic_config(url)
    command.upgrade(config, "head")
    return config, make_engine(url)


def invoice(number):
    today = date.today()
    return filing.InvoiceIn(
        number, today - timedelta(days=60), today - timedelta(days=30), 300000_00
    )


# SQLite's reflection cannot read an index on an expression (`ix_business_gstins_pan`), and
# autogenerate compares none; `tests/registry/test_legal_entity_lookup.py` holds that one.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations differ: {differences}"


def test_migrations_go_down_and_up_again(database_server):
    url = database_server.new_url()
    migrate.upgrade(url)
    config = migrate.alembic_config(url)
    command.downgrade(config, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    command.upgrade(config, "head")
    engine = create_engine(url)
    assert {"complaints", "invoices", "audit_log", "outbox"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_0008_closes_the_disputes_left_open_on_settled_complaints(database_server, settings):
    """Before 0008 a dispute whose complaint the member settled stayed in the admins'
    queue for ever; the upgrade closes those (audited), and the downgrade gives the
    release before a status it knows."""
    config, engine = at_head(database_server)  # the data made at head, then back to 0007
    with make_sessionmaker(engine).begin() as session:
        member = Actor.of(Factory(session).member_user())
        stuck, waiting = (
            filing.file_complaint(
                session, settings, member, filing_request(invoices=[invoice(number)])
            ).complaint
            for number in ("A-1", "A-2")
        )
        for complaint in (stuck, waiting):
            disputes.open_dispute(
                session,
                settings,
                complaint,
                "already_paid",
                "Paid by NEFT, UTR 42.",
                [disputes.Document("neft.pdf", PDF)],
            )
        stuck.status = ComplaintStatus.SETTLED  # what settling did to it before 0008
        stuck_id, waiting_id = stuck.disputes[0].id, waiting.disputes[0].id
    command.downgrade(config, "0007")

    def statuses():
        with Session(engine) as session:
            return dict(session.execute(select(Dispute.id, Dispute.status)).all())

    command.upgrade(config, "head")
    assert statuses() == {stuck_id: DisputeStatus.CLOSED, waiting_id: DisputeStatus.OPEN}
    with Session(engine) as session:
        assert [d.id for d in disputes.queue(session)] == [waiting_id]
        trail = audit.history(session, "dispute", stuck_id)
        assert [(e.action, e.from_state, e.to_state) for e in trail][-1] == (
            "closed",
            "open",
            "closed",
        )
        assert "settled" in (trail[-1].note or "")
    command.downgrade(config, "0007")
    assert statuses() == {stuck_id: DisputeStatus.OPEN, waiting_id: DisputeStatus.OPEN}
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE disputes SET status = 'closed'"))
    command.upgrade(config, "head")
    assert statuses()[stuck_id] is DisputeStatus.CLOSED
    engine.dispose()


def test_the_columns_the_models_compare_bytewise_are_so_on_postgresql(database_server):
    """The drift check above does not compare collations. At head, the columns the models
    declare bytewise (`registry.models.base.bytewise`: the search index's keys and words,
    GSTINs) have collation "C" on PostgreSQL, and only they; going down gives them the
    database's own again."""
    if not database_server.is_postgres:
        pytest.skip("collations are PostgreSQL's (SQLite compares bytewise anyway)")
    config, engine = at_head(database_server)
    declared = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if 'COLLATE "C"' in column.type.compile(dialect=engine.dialect)
    }
    bytewise = text(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND collation_name = 'C'"
    )

    def in_the_database():
        with engine.connect() as conn:
            return {(table, column) for table, column in conn.execute(bytewise)}

    assert ("business_keys", "key") in declared and ("business_gstins", "gstin") in declared
    assert in_the_database() == declared
    command.downgrade(config, "0031_next_reminder_at")
    assert in_the_database() == set()
    command.upgrade(config, "head")
    assert in_the_database() == declared
    engine.dispose()
