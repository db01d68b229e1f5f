"""Several `registry worker` processes at once (a rolling restart, or more than one
machine): each email goes out once and each time-based move happens once."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from registry import outbox, worker
from registry.actors import Actor
from registry.complaints import filing
from registry.models import ComplaintStatus, OutboxMessage, utcnow
from tests.conftest import filing_request

HOST = socket.gethostname()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leased(db, owner: str) -> OutboxMessage:
    message = outbox.queue_email(db, "test", "a@example.com", "Hello", "Body")
    message.locked_until = utcnow() + timedelta(minutes=5)
    message.locked_by = owner
    db.flush()
    return message


def test_a_starting_worker_leaves_a_running_workers_emails_alone(db):
    """A rolling restart starts the new worker while the old one is still sending: the
    new one used to release every lease, and the old one's emails went out twice."""
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        running = _leased(db, f"{HOST}:{alive.pid}")
        elsewhere = _leased(db, "another-machine:4242")
        stopped = _leased(db, f"{HOST}:{_dead_pid()}")
        assert outbox.recover_interrupted(db) == 1
        db.expire_all()
        assert running.locked_until is not None and elsewhere.locked_until is not None
        assert stopped.locked_until is None and stopped.last_error == outbox.INTERRUPTED
    finally:
        alive.kill()
        alive.wait()


def test_a_lease_names_its_worker(db):
    message = outbox.queue_email(db, "test", "a@example.com", "Hello", "Body")
    db.commit()
    claimed = outbox._claim(db, message.id, utcnow())
    assert claimed is not None and claimed.locked_by == outbox.WORKER


def test_while_one_worker_makes_times_moves_another_skips_them(
    db, settings, factory, database_url, session_factory
):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time; the advisory lock is PostgreSQL's")
    member = Actor.of(factory.member_user())
    complaint = filing.file_complaint(db, settings, member, filing_request()).complaint
    complaint.notice_ends_at = utcnow() - timedelta(days=1)
    db.flush()
    other = create_engine(database_url.replace("+psycopg", "+psycopg", 1))
    with other.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": worker.ROUND_LOCK})
        try:
            assert worker._this_worker_does_the_round(db) is False
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": worker.ROUND_LOCK})
    other.dispose()
    assert worker._this_worker_does_the_round(db) is True
    assert complaint.status is ComplaintStatus.IN_NOTICE
