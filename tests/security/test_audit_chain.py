"""The audit log is a hash chain that `registry audit-verify` checks; on PostgreSQL the
database itself refuses to change or remove a row."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from registry import audit, cli, migrate
from registry.actors import SYSTEM
from registry.db import make_engine, make_sessionmaker
from registry.models import AuditEntry


def test_each_row_carries_the_hash_of_the_one_before(db):
    first = audit.record(db, SYSTEM, "thing", 1, "made", note="ünïcode ₹")
    second = audit.record(db, SYSTEM, "thing", 1, "changed", from_state="a", to_state="b")
    assert second.prev_hash == first.entry_hash
    assert first.entry_hash == audit.entry_hash(
        {name: getattr(first, name) for name in audit.CHAINED}
    )
    assert audit.verify(db).ok


def test_the_canonical_form_is_sorted_compact_json():
    from datetime import UTC, datetime

    values = dict.fromkeys(audit.CHAINED)
    values.update(at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC), action="made", note="₹")
    assert (
        audit.canonical(values)
        == (
            '{"action":"made","actor_kind":null,"actor_label":null,"actor_user_id":null,'
            '"at":"2026-12-04T12:00:00.000000Z","entity_id":null,"entity_type":null,'
            '"from_state":null,"note":"₹","prev_hash":null,"to_state":null}'
        ).encode()
    )


@pytest.fixture
def own_url(database_server, tmp_path, monkeypatch):
    url = database_server.migrated_url()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("REGISTRY_INSTANCE", str(tmp_path))
    return url


def write_rows(url, count):
    engine = make_engine(url)
    ids = []
    with make_sessionmaker(engine).begin() as session:
        for n in range(count):
            ids.append(audit.record(session, SYSTEM, "thing", n, "made").id)
    engine.dispose()
    return ids


def verify_cli():
    result = CliRunner().invoke(cli.main, ["audit-verify"])
    return result.exit_code, json.loads(result.output.strip().splitlines()[-1])


def test_audit_verify_finds_the_first_changed_row(own_url):
    ids = write_rows(own_url, 5)
    assert verify_cli() == (0, {"ok": True, "entries": 5})
    engine = make_engine(own_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # the owner's way round the trigger
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(text("UPDATE audit_log SET note = 'rewritten' WHERE id = :id"), {"id": ids[2]})
    assert verify_cli() == (1, {"ok": False, "entries": 5, "first_bad": ids[2]})
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id IN (:a, :b)"), {"a": ids[2], "b": ids[1]})
    assert verify_cli() == (1, {"ok": False, "entries": 3, "first_bad": ids[3]})
    engine.dispose()


def test_concurrent_writers_do_not_fork_the_chain(own_url):
    engine = make_engine(own_url, pool_size=8)
    sessions = make_sessionmaker(engine)

    def writer(n):
        for i in range(5):
            with sessions.begin() as session:
                audit.record(session, SYSTEM, "thing", f"{n}-{i}", "made")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(writer, range(8)))
    with sessions() as session:
        verdict = audit.verify(session)
        hashes = session.scalars(text("SELECT prev_hash FROM audit_log")).all()
    engine.dispose()
    assert verdict.as_json() == {"ok": True, "entries": 40}
    assert len(set(hashes)) == 40  # no two rows claim the same predecessor


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET note = 'hidden'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
def test_postgresql_refuses_to_change_the_audit_log(db, statement):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    audit.record(db, SYSTEM, "thing", 1, "made")
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement))
    assert db.query(AuditEntry).count() >= 1


def test_the_migration_chains_the_rows_already_there(database_server):
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy.orm import Session

    url = database_server.new_url()
    config = migrate.alembic_config(url)
    command.upgrade(config, "0008")
    engine = make_engine(url)
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, actor_kind, actor_label, entity_type, "
                    "entity_id, action, note) VALUES (:at, 'system', 'registry', 'thing', "
                    ":n, 'made', 'before the chain ₹')"
                ),
                {"at": datetime(2026, 11, 1, 12, n, tzinfo=UTC), "n": str(n)},
            )
    command.upgrade(config, "head")
    with Session(engine) as session:
        assert audit.verify(session).as_json() == {"ok": True, "entries": 3}
    with make_sessionmaker(engine).begin() as session:
        audit.record(session, SYSTEM, "thing", 9, "made after")
    with Session(engine) as session:
        assert audit.verify(session).as_json() == {"ok": True, "entries": 4}
    engine.dispose()


def test_a_notes_catalogue_text_and_values_are_chained_too(own_url):
    """A note written with its catalogue text (to be read in Hindi) keeps it in the chain:
    rewriting what a Hindi reader would see breaks the chain as rewriting the English does,
    and rows written without one keep the hashes they had."""
    from registry.language import N_, Said

    engine = make_engine(own_url)
    with make_sessionmaker(engine).begin() as session:
        plain = audit.record(session, SYSTEM, "thing", 1, "made", note="plain words").id
        said = audit.record(
            session, SYSTEM, "thing", 1, "sent", note=Said(N_("notice sent to %(to)s"), to="a@b.in")
        ).id
    with make_sessionmaker(engine)() as session:
        row = session.get(AuditEntry, said)
        assert (
            row.note == "notice sent to a@b.in"
            and row.shown_note.template == "notice sent to %(to)s"
        )
        assert session.get(AuditEntry, plain).note_values is None
        assert audit.verify(session).ok
    assert verify_cli() == (0, {"ok": True, "entries": 2})
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(
            text("UPDATE audit_log SET note_values = replace(note_values, 'a@b.in', 'x@y.in')")
        )
    assert verify_cli() == (1, {"ok": False, "entries": 2, "first_bad": said})
    engine.dispose()
