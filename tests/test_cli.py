"""The `registry` console script, against a database of its own."""

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import create_engine, delete, func, select, update
from sqlalchemy.orm import Session

from matching.normalise import VERSION
from registry import demo, migrate
from registry.cli import main
from registry.db import make_engine
from registry.identifiers import gstin_for
from registry.models import (
    AuditEntry,
    Business,
    BusinessKey,
    Complaint,
    ComplaintStatus,
    Dispute,
    DisputeStatus,
    DuplicatePair,
    Member,
    NameTokenStat,
    NormalNameRecord,
    OutboxMessage,
    User,
)


@pytest.fixture(scope="module")
def cli_env(database_server, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    env = {
        "DATABASE_URL": database_server.new_url(),
        "REGISTRY_INSTANCE": str(instance),
        "MAIL_URL": f"file://{instance / 'outbox'}",
    }
    result = CliRunner().invoke(main, ["init-db"], env=env)
    assert result.exit_code == 0, result.output
    return env


def run(env, *args):
    return CliRunner().invoke(main, list(args), env=env)


def count(env, model, *where):
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        value = conn.execute(select(func.count()).select_from(model).where(*where)).scalar()
    engine.dispose()
    return value


def test_create_admin_with_api_key_prints_one_json_line(cli_env):
    result = run(
        cli_env,
        "create-admin",
        "--email",
        "root@registry.example",
        "--password",
        "a-long-password",
        "--api-key",
    )
    assert result.exit_code == 0, result.output
    line = result.stdout.strip().splitlines()
    assert len(line) == 1
    data = json.loads(line[0])
    assert data["api_key"].startswith("kr_") and data["role"] == "admin"
    assert len(data["totp_secret"]) == 32


def test_create_member_makes_an_active_member(cli_env):
    gstin = gstin_for("09", "ABCFA4444D")
    result = run(
        cli_env,
        "create-member",
        "--name",
        "Agarwal & Sons",
        "--gstin",
        gstin,
        "--email",
        "cli@agarwal.example",
        "--password",
        "a-long-password",
        "--api-key",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["member_id"] and data["api_key"]
    assert count(cli_env, Member, Member.gstin == gstin, Member.status == "active") == 1


def test_bad_input_is_explained_and_writes_nothing(cli_env):
    before = (count(cli_env, Member), count(cli_env, User))
    result = run(
        cli_env,
        "create-member",
        "--name",
        "Bad",
        "--gstin",
        "27AAAPL1234C1ZX",
        "--email",
        "bad@x.example",
        "--password",
        "a-long-password",
    )
    assert result.exit_code != 0
    assert "gstin: checksum does not match" in result.output
    result = run(cli_env, "create-admin", "--email", "nope", "--password", "short")
    assert result.exit_code != 0 and "password" in result.output and "email" in result.output
    assert (count(cli_env, Member), count(cli_env, User)) == before


def test_demo_loads_once_with_every_state_at_realistic_ages(cli_env):
    assert run(cli_env, "demo").output.strip() == "demo data loaded"
    assert run(cli_env, "demo").output.strip() == "demo data already present"
    engine = create_engine(cli_env["DATABASE_URL"])
    with Session(engine) as session:
        complaints = session.scalars(select(Complaint)).all()
        states = {c.status for c in complaints}
        admin_key = session.scalar(select(User.totp_secret).where(User.email == demo.ADMIN_EMAIL))
        decisions = set(session.scalars(select(Dispute.status)))
        pairs = session.scalar(
            select(func.count()).select_from(DuplicatePair).where(DuplicatePair.status == "open")
        )
        waiting = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "notice", OutboxMessage.sent_at.is_(None)
            )
        ).all()
        names = set(session.scalars(select(Business.name)))
    engine.dispose()
    assert admin_key == demo.ADMIN_TOTP_SECRET  # published with the demo login
    assert states == set(ComplaintStatus) - {ComplaintStatus.FILED}
    assert DisputeStatus.CORRECTED in decisions and DisputeStatus.UPHELD in decisions
    assert pairs and pairs >= 2  # the duplicates queue is filled
    assert waiting  # a notice ready for the worker to send
    assert "श्री गणेश ट्रेडर्स" in names
    now = datetime.now(UTC).replace(tzinfo=None)

    def naive(value):
        return value.replace(tzinfo=None) if value.tzinfo else value

    ages = sorted((now - naive(c.created_at)).days for c in complaints)
    assert ages[0] == 0 and ages[-1] >= 90 and len({a // 30 for a in ages}) >= 4
    for complaint in complaints:
        if complaint.listed_at is not None:  # never listed before its notice ended
            assert naive(complaint.listed_at) >= naive(complaint.notice_ends_at)
            assert naive(complaint.notice_ends_at) - naive(complaint.notice_sent_at) >= timedelta(
                days=15
            )
    assert run(cli_env, "audit-verify").exit_code == 0


def test_audit_verify_reads_while_another_process_holds_the_write_lock(cli_env):
    """On SQLite a check that only reads need not wait for a long import's transaction."""
    if not cli_env["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite's one writer at a time")
    run(cli_env, "demo")
    importing = make_engine(cli_env["DATABASE_URL"])
    with importing.begin() as connection:
        connection.exec_driver_sql("SELECT 1")  # began with the write lock
        started = time.monotonic()
        result = run(cli_env, "audit-verify")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["ok"] is True
        assert time.monotonic() - started < 5
    importing.dispose()


def test_worker_once_sends_the_queued_mail(cli_env, tmp_path):
    run(cli_env, "demo")
    result = run(cli_env, "worker", "--once")
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)
    assert set(first) == {
        "listed",
        "reminders",
        "disputes_overdue",
        "orders_expired",
        "imports_expired",
        "privacy_escalations",
        "orphan_files_removed",
        "index_changes_pruned",
        "index_file_written",
        "dispute_reminders",
        "complaints_erased",
        "messages_forgotten",
        "documents_forgotten",
        "aliases_rejudged",
        "idempotency_keys_forgotten",
        "emails_sent",
        "emails_failed",
    }
    second = json.loads(run(cli_env, "worker", "--once").stdout)
    assert second["emails_sent"] == 0
    outbox = list((Path(cli_env["REGISTRY_INSTANCE"]) / "outbox").glob("*.eml"))
    assert len(outbox) >= first["emails_sent"] > 0


def test_import_businesses_reports_each_line(cli_env, tmp_path):
    gstin = gstin_for("24", "ABCFI1234Q")
    path = tmp_path / "directory.csv"
    path.write_text(
        "name,gstin,pan,city,state\n"
        f"Import Traders,{gstin},,Surat,Gujarat\n"
        "Bad Gstin Co,24ABCFI1234Q1Z0,,Surat,Gujarat\n"
        f"Import Traders Branch,{gstin.lower()},,Surat,Gujarat\n"
        ",,,Pune,Maharashtra\n"
        "Name Only Stores,,,Pune,Maharashtra\n"
        "Pan Only Co,,ABCPP7777K,Indore,Madhya Pradesh\n"
        f"Pan Branch Co,{gstin_for('23', 'ABCPP7777K')},ABCPP7777K,Bhopal,Madhya Pradesh\n",
        encoding="utf-8",
    )
    result = run(cli_env, "import-businesses", str(path))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    statuses = {row["line"]: row["status"] for row in report["rows"]}
    assert statuses == {
        2: "created",
        3: "error",
        4: "matched",
        5: "error",
        6: "created",
        7: "created",
        8: "matched",
    }
    rows = {row["line"]: row for row in report["rows"]}
    assert rows[4]["business_id"] == rows[2]["business_id"]
    assert rows[8]["business_id"] == rows[7]["business_id"]
    assert "checksum" in rows[3]["error"] and "name" in rows[5]["error"]
    assert (report["created"], report["matched"], report["error"]) == (3, 2, 2)
    again = json.loads(run(cli_env, "import-businesses", str(path)).stdout)
    assert again["created"] == 0 and again["matched"] == 5  # loading twice duplicates nothing


def test_import_refuses_a_file_without_the_columns(cli_env, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("business,gst\nX,Y\n", encoding="utf-8")
    result = run(cli_env, "import-businesses", str(path))
    assert result.exit_code != 0 and "missing: name" in result.output


def test_commands_refuse_a_database_not_at_this_releases_revision(database_server, tmp_path):
    """A release installed before its migrations ran: its commands say to run `init-db`
    and change nothing, instead of working on tables that are not as the code knows
    them (on PostgreSQL, an import with new code at revision 0031 crawled through
    sequential scans); a database never migrated is told the same. After `init-db` they
    work."""
    instance = tmp_path / "instance"
    url = database_server.new_url()
    env = {
        "DATABASE_URL": url,
        "REGISTRY_INSTANCE": str(instance),
        "MAIL_URL": f"file://{instance / 'outbox'}",
    }
    path = tmp_path / "directory.csv"
    path.write_text("name,gstin,pan,city,state\nRevision Traders,,,Surat,Gujarat\n")
    never = run(env, "import-businesses", str(path))
    assert never.exit_code == 1 and "at revision none" in never.output
    assert "run `registry init-db` first" in never.output
    command.upgrade(migrate.alembic_config(url), "0031_next_reminder_at")
    for args in (
        ("import-businesses", str(path)),
        ("worker", "--once"),
        ("find-duplicates",),
        ("create-admin", "--email", "a@example.com", "--password", "correct horse battery 9"),
    ):
        refused = run(env, *args)
        assert refused.exit_code == 1, (args, refused.output)
        assert "at revision 0031_next_reminder_at" in refused.output
        assert "run `registry init-db` first" in refused.output
    assert count(env, Business) == 0 and count(env, User) == 0
    assert run(env, "init-db").exit_code == 0
    imported = run(env, "import-businesses", str(path))
    assert imported.exit_code == 0, imported.output
    assert count(env, Business, Business.name == "Revision Traders") == 1


def test_find_duplicates_prints_a_summary(cli_env, tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text(
        "name,gstin,pan,city,state\nKrishna Oil Mills,,,Rajkot,Gujarat\nKrishna Oil Mill,,,Rajkot,Gujarat\n"
        "Krishna Oil Mills,,,Jaipur,Rajasthan\n",
        encoding="utf-8",
    )
    run(cli_env, "import-businesses", str(path))
    result = run(cli_env, "find-duplicates")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["open_pairs"] >= 1 and summary["businesses"] >= 3 and "seconds" in summary


def test_reindex_rebuilds_the_name_index_from_the_directory(cli_env, tmp_path):
    path = tmp_path / "reindex.csv"
    path.write_text(
        "name,gstin,pan,city,state\nVindhya Granites,,,Jabalpur,Madhya Pradesh\n"
        "Sahyadri Tools LLP,,,Nashik,Maharashtra\n",
        encoding="utf-8",
    )
    run(cli_env, "import-businesses", str(path))
    before = {
        model: count(cli_env, model) for model in (BusinessKey, NameTokenStat, NormalNameRecord)
    }
    assert all(before.values())
    engine = create_engine(cli_env["DATABASE_URL"])
    with engine.begin() as conn:  # an index left behind by an older release
        for model in (BusinessKey, NameTokenStat, NormalNameRecord):
            conn.execute(delete(model))
    engine.dispose()
    result = run(cli_env, "reindex")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["businesses"] == count(
        cli_env, Business, Business.merged_into_id.is_(None)
    )
    after = {model: count(cli_env, model) for model in before}
    assert after == before
    assert count(cli_env, AuditEntry, AuditEntry.action == "reindexed") == 1


def test_reindex_writes_the_machines_index_file_from_the_tables(cli_env, tmp_path):
    from matching.keys import name_keys
    from matching.normalise import normalise
    from registry.search_index.mapped_copy import MappedIndexCopy

    path = tmp_path / "file.csv"
    path.write_text(
        "name,gstin,pan,city,state\nVindhya Granites,,,Jabalpur,Madhya Pradesh\n"
        "Sahyadri Tools LLP,,,Nashik,Maharashtra\n",
        encoding="utf-8",
    )
    run(cli_env, "import-businesses", str(path))
    folder = tmp_path / "index"
    result = run({**cli_env, "SEARCH_INDEX_DIR": str(folder)}, "reindex")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["index_file"].startswith(str(folder))
    copy = MappedIndexCopy.open(folder)
    assert copy is not None
    keys = name_keys(normalise("Sahyadri Tools LLP"))
    ids = {b for found in copy.postings_of(keys).values() for b in found}
    assert [c.name.core for c in copy.candidates(ids).values()] == ["sahyadri tools"]


def test_init_db_says_when_the_index_was_built_by_another_matcher_version(cli_env, tmp_path):
    path = tmp_path / "versions.csv"
    path.write_text("name,gstin,pan,city,state\nKalinga Forgings,,,Cuttack,Odisha\n")
    run(cli_env, "import-businesses", str(path))
    assert "registry reindex" not in run(cli_env, "init-db").output
    engine = create_engine(cli_env["DATABASE_URL"])
    with engine.begin() as conn:  # names stored by an older release's matcher
        conn.execute(update(NormalNameRecord).values(version=VERSION - 1))
    engine.dispose()
    result = run(cli_env, "init-db")
    assert result.exit_code == 0, result.output
    assert f"version {VERSION - 1} of the name matcher" in result.stderr
    assert "registry reindex" in result.stderr
    run(cli_env, "reindex")
    assert "registry reindex" not in run(cli_env, "init-db").output
