"""Uploaded files no row names (left by a request killed before its commit) are removed
by the worker once they are old enough that no request can still be writing them."""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import sessionmaker

from registry import worker
from registry.actors import Actor
from registry.bulk import batches, steps
from registry.complaints import filing
from registry.mailer import FileMailer
from registry.models import ImportStatus, utcnow
from registry.uploads import orphans
from tests.conftest import PDF, filing_request
from tests.members.conftest import csv_bytes, gstin, row

TWO_HOURS = 2 * 3600


def age(path: Path, seconds: float) -> Path:
    """Make `path` look written `seconds` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def stray_evidence(settings, seconds_old: float, extension: str = "pdf") -> Path:
    """A file as `evidence.store` writes it, with no row naming it."""
    settings.uploads_path.mkdir(parents=True, exist_ok=True)
    path = settings.uploads_path / f"{secrets.token_hex(20)}.{extension}"
    path.write_bytes(PDF)
    return age(path, seconds_old)


def stray_import_folder(settings, seconds_old: float) -> Path:
    folder = batches.imports_root(settings) / secrets.token_hex(16)
    folder.mkdir(parents=True)
    document = folder / f"{secrets.token_hex(20)}.pdf"
    document.write_bytes(PDF)
    age(document, seconds_old)
    return age(folder, seconds_old)


def test_old_unnamed_evidence_goes_fresh_and_named_files_stay(db, settings, factory):
    user = factory.member_user()
    filed = filing.file_complaint(db, settings, Actor.of(user), filing_request())
    named = age(settings.uploads_path / filed.complaint.evidence[0].stored_name, TWO_HOURS)
    orphan = stray_evidence(settings, TWO_HOURS)
    orphan_png = stray_evidence(settings, TWO_HOURS, "png")
    in_flight = stray_evidence(settings, 10 * 60)  # a filing still running wrote it
    not_ours = settings.uploads_path / "README.txt"
    not_ours.write_text("an operator's note")
    age(not_ours, TWO_HOURS)

    assert orphans.sweep(db, settings) == 2

    assert not orphan.exists() and not orphan_png.exists()
    assert named.read_bytes() == PDF and in_flight.exists() and not_ours.exists()
    assert orphans.sweep(db, settings) == 0
    later = orphans.sweep(db, settings, now=utcnow() + orphans.MIN_AGE)
    assert later == 1 and not in_flight.exists() and named.exists()


def test_import_folders_no_waiting_import_names_are_removed(db, settings, factory):
    user = factory.member_user()
    actor = Actor.of(user)

    def upload(number):
        content = csv_bytes([row(gst=gstin(7), number=number)])
        ledger = batches.Document("ledger.pdf", PDF)
        return batches.upload(db, settings, actor, "x.csv", content, [ledger])

    waiting = upload("W-1")
    finished = upload("F-1")
    steps.start(db, actor, finished, {})
    steps.file_step(db, settings, actor, finished)
    assert finished.status is ImportStatus.DONE
    db.flush()  # not committed: as if killed between the commit and removing the folder
    kept = batches.folder(settings, waiting)
    leftover = batches.folder(settings, finished)
    for folder in (kept, leftover):
        for item in folder.iterdir():
            age(item, TWO_HOURS)
        age(folder, TWO_HOURS)
    killed_upload = stray_import_folder(settings, TWO_HOURS)
    fresh_upload = stray_import_folder(settings, 60)

    assert orphans.sweep(db, settings) == 2

    assert not leftover.exists() and not killed_upload.exists()
    assert kept.is_dir() and len(list(kept.iterdir())) == 1 and fresh_upload.is_dir()


def test_no_uploads_folder_yet_is_nothing_to_do(db, settings):
    assert not settings.uploads_path.exists()
    assert orphans.sweep(db, settings) == 0


def test_a_database_without_any_evidence_empties_no_uploads_folder(db, settings, caplog):
    """A worker started against the wrong (or a new) database must not delete everything."""
    files = [stray_evidence(settings, TWO_HOURS) for _ in range(3)]
    with caplog.at_level(logging.WARNING, logger="registry.uploads.orphans"):
        assert orphans.sweep(db, settings) == 0
    assert all(path.exists() for path in files)
    assert "left 3 files" in caplog.text and "DATABASE_URL" in caplog.text


def test_the_worker_sweeps_and_logs_what_it_removed(
    session_factory, db, settings, factory, tmp_path, caplog
):
    filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    db.commit()
    orphan = stray_evidence(settings, TWO_HOURS)
    mailer = FileMailer(tmp_path / "mail")
    skipped = worker.run_once(session_factory, mailer, settings, sweep=False)
    assert skipped.orphan_files_removed == 0 and orphan.exists()
    with caplog.at_level(logging.INFO, logger="registry.uploads.orphans"):
        swept = worker.run_once(session_factory, mailer, settings)
    assert swept.orphan_files_removed == 1 and not orphan.exists()
    assert f"removed evidence file {orphan.name}: no row names it" in caplog.text


class Stop(Exception):
    pass


def test_the_long_running_worker_sweeps_at_start_then_every_quarter_hour(
    monkeypatch, connection, settings, tmp_path
):
    """Listing a big shared uploads folder every 5 s would be waste: the sweep runs in the
    first round, then once per `SWEEP_EVERY`, and the other chores in every round."""
    clock = [0.0]
    sweeps: list[bool] = []

    def sleep(seconds: float) -> None:
        if clock[0] >= 19 * seconds:  # twenty rounds, a minute apart
            raise Stop
        clock[0] += seconds

    def run_once(sessions, mailer, settings, *, sweep):
        sweeps.append(sweep)
        return worker.Round()

    monkeypatch.setattr(worker, "time", SimpleNamespace(monotonic=lambda: clock[0], sleep=sleep))
    monkeypatch.setattr(worker, "run_once", run_once)
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    with pytest.raises(Stop):
        worker.run_forever(sessions, FileMailer(tmp_path / "mail"), settings, interval=60)
    assert worker.SWEEP_EVERY == 900
    assert [n for n, swept in enumerate(sweeps) if swept] == [0, 15]


def test_applicants_documents_no_row_names_are_removed_too(db, settings):
    from registry.identifiers import gstin_for
    from registry.members import accounts
    from registry.members.documents import GST_CERTIFICATE, Proof, folder
    from tests.conftest import PASSWORD

    member = accounts.sign_up(
        db,
        settings,
        accounts.Application(
            business_name="Godavari Rice Mills",
            gstin=gstin_for("36", "AAFCG1234R"),
            email="office@godavari.example",
            password=PASSWORD,
        ),
        [Proof(GST_CERTIFICATE, "reg06.pdf", PDF)],
    )
    assert member is not None
    kept = age(folder(settings) / member.documents[0].stored_name, TWO_HOURS)
    crashed = folder(settings) / f"{secrets.token_hex(20)}.pdf"
    crashed.write_bytes(PDF)
    age(crashed, TWO_HOURS)
    assert orphans.sweep(db, settings) == 1
    assert kept.exists() and not crashed.exists()
