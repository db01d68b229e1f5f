"""SQLite, the embedded default, lets one connection write at a time. A unit of work
that reads and then writes (filing a complaint: who is the member, who is the debtor,
then the rows) must wait for another process's write rather than fail: `registry run`
has the web server and the worker writing to one file, and a filing once answered 503
"briefly unavailable" because the worker had committed between the request's first read
and its first write."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, text

from registry.db import READS_ONLY, make_engine


def _engines(tmp_path: Path) -> tuple[Engine, Engine]:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    first, second = make_engine(url), make_engine(url)
    with first.begin() as connection:
        connection.execute(text("CREATE TABLE filed (who TEXT)"))
    return first, second


def test_a_transaction_that_read_still_writes_after_another_process_wrote(tmp_path):
    request, worker = _engines(tmp_path)
    worker_done = threading.Event()
    failures: list[BaseException] = []

    def worker_writes() -> None:
        try:
            with worker.begin() as connection:
                connection.execute(text("INSERT INTO filed VALUES ('worker')"))
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
        finally:
            worker_done.set()

    with request.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM filed")).scalar() == 0
        thread = threading.Thread(target=worker_writes)
        thread.start()
        # The worker waits for this transaction to end; before, it committed at once
        # and the insert below failed with "database is locked".
        assert not worker_done.wait(0.5)
        connection.execute(text("INSERT INTO filed VALUES ('request')"))
    thread.join(10)
    assert not failures
    with request.connect() as connection:
        rows = connection.execute(text("SELECT who FROM filed ORDER BY rowid")).scalars().all()
    assert rows == ["request", "worker"]


def test_a_connection_that_only_reads_holds_no_writer_back(tmp_path):
    reader, writer = _engines(tmp_path)
    with reader.connect() as connection:
        connection.execution_options(**READS_ONLY)
        connection.execute(text("SELECT count(*) FROM filed")).scalar()
        # A long read (loading the index copy) is under way: a write goes ahead.
        with writer.begin() as other:
            other.execute(text("INSERT INTO filed VALUES ('meanwhile')"))
        # The reader still sees the table as it was when its read began.
        assert connection.execute(text("SELECT count(*) FROM filed")).scalar() == 0
