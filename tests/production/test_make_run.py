"""`make run` is the whole product on one machine: `registry run` (what `make run`
starts) migrates a fresh database, loads the demo, and starts the web server and the
worker together. A complaint filed through the API has its notice in the outbox sink
within a minute with nothing else started; Ctrl-C stops both processes, and so does a
launcher killed outright."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from registry.identifiers import gstin_for
from tests.conftest import PDF
from tests.production.crash import wait_until

ROOT = Path(__file__).resolve().parents[2]
DEBTOR_EMAIL = "accounts@first-five-minutes.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(database_url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PUBLIC_BASE_URL", "LOG_FORMAT"}}
    env.update(DATABASE_URL=database_url, REGISTRY_INSTANCE=str(instance), PYTHONPATH=str(ROOT))
    return env


def ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture
def running(database_server: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = free_port()
    env = environment(database_server.new_url(), tmp_path / "instance")
    log = (tmp_path / "run.log").open("w+b")
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "registry.cli", "run", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        # As a script's background job starts: SIGINT ignored. Ctrl-C must stop it all the
        # same (it did not: Python then installs no KeyboardInterrupt handler).
        preexec_fn=ignore_interrupts,
        # its own process group, so that a launcher that hangs is killed with its children
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    started = {"process": process, "url": url, "env": env, "log": log, "tmp": tmp_path}
    try:
        deadline = time.monotonic() + 45
        while b"is running at" not in (tmp_path / "run.log").read_bytes():
            assert process.poll() is None, (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, "registry run printed no banner in 45 s"
            time.sleep(0.2)
        yield started
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def complaint_body() -> dict[str, Any]:
    today = date.today()
    return {
        "debtor": {
            "name": "First Five Minutes Traders",
            "gstin": gstin_for("27", "ABCFF5555F"),
            "email": DEBTOR_EMAIL,
        },
        "invoices": [
            {
                "number": "FFM/1",
                "invoice_date": str(today - timedelta(days=90)),
                "due_date": str(today - timedelta(days=60)),
                "amount_paise": 300000_00,
            }
        ],
        "evidence": [{"filename": "invoice.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }


def notices_to(outbox: Path, email: str) -> list[str]:
    if not outbox.exists():
        return []
    texts = [path.read_text(errors="replace") for path in sorted(outbox.glob("*.eml"))]
    return [text for text in texts if f"To: {email}" in text]


def test_registry_run_serves_and_delivers_a_filed_notice_within_a_minute(running):
    url, env, tmp = running["url"], running["env"], running["tmp"]
    banner = (tmp / "run.log").read_text()
    assert url in banner and "admin@demo.khata.example" in banner
    assert "demo-password-2026" in banner and "two-factor" in banner
    assert requests.get(f"{url}/login", timeout=10).status_code == 200

    made = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "registry.cli", "create-member", "--name", "Newcomer Mills",
         "--gstin", gstin_for("27", "AAECN7777N"), "--email", "newcomer@mills.example",
         "--password", "a newcomer's long passphrase", "--api-key"],
        env=env, cwd=tmp, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    key = json.loads(made.stdout.strip().splitlines()[-1])["api_key"]
    filed_at = time.monotonic()
    response = requests.post(
        f"{url}/api/v1/complaints",
        json=complaint_body(),
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text

    outbox = tmp / "instance" / "outbox"
    while not notices_to(outbox, DEBTOR_EMAIL):
        assert time.monotonic() - filed_at < 60, "no notice in the outbox a minute after filing"
        assert running["process"].poll() is None
        time.sleep(0.5)
    notice = notices_to(outbox, DEBTOR_EMAIL)[0]
    assert f"{url}/notice/" in notice.replace("=\n", "")  # links follow the port

    process = running["process"]
    process.send_signal(signal.SIGINT)
    assert process.wait(20) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/login", timeout=5)


def test_logs_are_json_without_colour_codes_when_not_on_a_terminal(running):
    url, tmp = running["url"], running["tmp"]
    requests.get(f"{url}/login", timeout=10)
    time.sleep(1)
    lines = [line for line in (tmp / "run.log").read_text().splitlines() if line.startswith("{")]
    assert any(json.loads(line).get("path") == "/login" for line in lines)
    assert all("\x1b[" not in line for line in lines)
    for line in lines:
        json.loads(line)


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_killing_the_launcher_outright_stops_the_web_server_and_the_worker(running):
    launcher = running["process"]
    children = children_of(launcher.pid)
    assert len(children) == 2, children  # the web server and the worker
    launcher.send_signal(signal.SIGKILL)
    launcher.wait()
    try:
        wait_until(lambda: not any(alive(pid) for pid in children), 20, "the children to follow it")
        with pytest.raises(requests.ConnectionError):
            requests.get(running["url"] + "/healthz", timeout=2)
    finally:
        # whatever is left of the launcher's process group goes, pass or fail
        with contextlib.suppress(ProcessLookupError):
            os.killpg(launcher.pid, signal.SIGKILL)
