"""The load benchmark's CPU per part of the stack: a process group's web workers are found
and timed, and a phase's cost per answer is what its parts spent over its answers."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import process_cpu
from bench.load import cpu_table
from bench.load_client import Phase

BURN = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads Linux's /proc")
def test_the_cpu_of_a_groups_web_workers_is_counted_and_nothing_else_of_it():
    # argv names gunicorn, as a web worker's does; it runs in a process group of its own
    argv = [sys.executable, "-c", BURN + "\ntime.sleep(5)", "gunicorn"]
    burner = subprocess.Popen(argv, start_new_session=True)  # noqa: S603 (our own code)
    try:
        before = process_cpu.cpu_seconds(burner.pid)
        time.sleep(1.5)
        spent = process_cpu.spent_between(before, process_cpu.cpu_seconds(burner.pid))
    finally:
        burner.kill()
        burner.wait()
    assert 0.2 <= spent["web"] <= 1.0
    assert spent["worker"] == 0.0
    # another group's processes are not this one's web workers
    other = process_cpu.cpu_seconds(burner.pid + 10_000_000)
    assert other["web"] == 0.0 and other["worker"] == 0.0


def test_a_phases_cost_per_answer_is_its_parts_over_its_answers():
    search = Phase("GET /api/v1/businesses/search?q=", 200, seconds=2.0)
    search.statuses = {200: 400, 500: 7}
    search.client_cpu = 0.4
    search.server_cpu = {"web": 3.6, "worker": 0.0, "postgres": 0.4, "redis": 0.04}
    health = Phase("GET /healthz", 200, seconds=2.0, client_cpu=0.5)
    health.statuses = {200: 1000}
    health.server_cpu = {"web": 2.0, "worker": 0.1, "postgres": 0.2, "redis": 0.0}
    header, first, second = cpu_table([search, health]).splitlines()
    # each phase by its whole name: two searches (by name, by GSTIN) stay told apart
    assert first.startswith("GET /api/v1/businesses/search?q= ")
    assert header.split()[-7:] == ["web", "worker", "postgres", "redis", "client", "in", "all"]
    # per answer with the expected status: 3.6 s / 400 = 9 ms, and so on
    assert first.split()[-6:] == ["9.00", "0.00", "1.00", "0.10", "1.00", "11.10"]
    assert second.split()[-6:] == ["2.00", "0.10", "0.20", "0.00", "0.50", "2.80"]
