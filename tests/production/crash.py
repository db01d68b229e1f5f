"""Real processes to crash: gunicorn serving `wsgi:app` and `registry worker`, each started
on a database of its own (as `make serve` starts them), stopped at a named point by the
fault hook (`registry/faults.py`) and killed there with SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import requests

from registry import faults
from registry.db import DEFERRED_BEGIN, make_engine, make_sessionmaker
from registry.settings import Settings

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "kill9-secret-key"
WEBHOOK_SECRET = "whsec_test_secret"
#: Generous: a loaded CI machine boots gunicorn slowly; a healthy run takes seconds.
START_TIMEOUT = 90.0
PAUSE_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0
#: Variables of the outer environment that would configure the processes behind our back.
OWN = ("DATABASE_URL", "SECRET_KEY", "MAIL_URL", "REDIS_URL", "PUBLIC_BASE_URL", "WEB_CONCURRENCY")


class TimedOut(AssertionError):
    pass


def wait_until(check: Callable[[], Any], timeout: float, what: str, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimedOut(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


class Process:
    """One command in a process group of its own, so SIGKILL takes all of it at once (the
    gunicorn master and its workers die together, as when a machine or container dies)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 (our own venv's commands, no shell)
                argv,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
        """Wait for what this process should bring about; fail with its output."""
        try:
            return wait_until(check, timeout, what)
        except TimedOut as exc:
            raise self.fail(str(exc)) from None

    def kill9(self) -> None:
        """SIGKILL the whole group: no handler, no finally, no rollback runs."""
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def fail(self, message: str) -> AssertionError:
        return AssertionError(
            f"{self.name}: {message}\n--- its output ---\n{self.output()[-4000:]}"
        )


class Web(Process):
    """gunicorn on a port the kernel picks (read back from its log), ready when /healthz is."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        argv = [
            str(BIN / "gunicorn"),
            "--workers=2",
            "--bind=127.0.0.1:0",
            "--graceful-timeout=1",
            "wsgi:app",
        ]
        super().__init__("gunicorn", argv, env, log)
        self.url = ""

    def ready(self) -> Web:
        try:
            listening = wait_until(self._port, START_TIMEOUT, "gunicorn to listen")
            self.url = f"http://127.0.0.1:{listening}"
            wait_until(self._healthy, START_TIMEOUT, "/healthz to answer 200")
        except TimedOut as exc:
            raise self.fail(str(exc)) from None
        return self

    def _port(self) -> str | None:
        if not self.alive:
            raise self.fail("exited while starting")
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.output())
        return found.group(1) if found else None

    def _healthy(self) -> bool:
        if not self.alive:
            raise self.fail("exited while starting")
        try:
            return requests.get(f"{self.url}/healthz", timeout=10).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False


class Site:
    """A database, an instance directory, the processes serving them, and sessions for
    the test to look at what they committed."""

    def __init__(self, url: str, root: Path) -> None:
        self.url = url
        self.root = root
        self.instance = root / "instance"
        self.faults = root / "faults"
        self.outbox = root / "outbox"
        for folder in (self.instance, self.faults, self.outbox):
            folder.mkdir(parents=True, exist_ok=True)
        self.processes: list[Process] = []
        self.engine = make_engine(url)
        # The test reads what the processes committed while one of them is paused inside
        # its write transaction: on SQLite its reads must not wait for that write lock.
        self.sessions = make_sessionmaker(self.engine.execution_options(**{DEFERRED_BEGIN: True}))
        self.settings = Settings(
            instance_path=self.instance,
            database_url=url,
            secret_key=SECRET_KEY,
            mail_url=f"file://{self.outbox}",
            stripe_webhook_secret=WEBHOOK_SECRET,
            ratelimit_enabled=False,
        )

    def env(self, fault: str | None, mail_url: str | None) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("REGISTRY_", "STRIPE_", "GUNICORN_")) and name not in OWN
        }
        env.update(
            DATABASE_URL=self.url,
            REGISTRY_ENV="development",
            REGISTRY_INSTANCE=str(self.instance),
            SECRET_KEY=SECRET_KEY,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            MAIL_URL=mail_url or self.settings.mail_url,
            RATELIMIT_ENABLED="false",
            PYTHONUNBUFFERED="1",
        )
        if fault:
            env[faults.POINT], env[faults.DIRECTORY] = fault, str(self.faults)
        return env

    def web(self, fault: str | None = None) -> Web:
        web = Web(self.env(fault, None), self.root / f"web-{len(self.processes)}.log")
        self.processes.append(web)
        return web.ready()

    def worker(self, fault: str | None = None, mail_url: str | None = None) -> Process:
        argv = [str(BIN / "registry"), "worker", "--interval=0.1"]
        log = self.root / f"worker-{len(self.processes)}.log"
        worker = Process("registry worker", argv, self.env(fault, mail_url), log)
        self.processes.append(worker)
        return worker

    def worker_once(self) -> str:
        """`registry worker --once`: one round, to its end."""
        done = subprocess.run(  # noqa: S603 (our own venv's command, no shell)
            [str(BIN / "registry"), "worker", "--once"],
            cwd=REPO,
            env=self.env(None, None),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def paused(self, process: Process, point: str) -> int:
        """Wait until `process` stopped at `point`; the pid that did."""

        def marker() -> int | None:
            found = sorted(self.faults.glob(f"{point}.*"))
            if found:
                return int(found[0].name.rsplit(".", 1)[1])
            if not process.alive:
                raise process.fail(f"exited before reaching {point!r}")
            return None

        try:
            pid: int = wait_until(marker, PAUSE_TIMEOUT, f"{process.name} to stop at {point!r}")
        except TimedOut as exc:
            raise process.fail(str(exc)) from None
        return pid

    def crash(self, process: Process, point: str) -> None:
        """Wait for `process` to stop at `point`, then kill -9 it there."""
        self.paused(process, point)
        process.kill9()
        for item in self.faults.glob(f"{point}.*"):
            item.unlink()

    def close(self) -> None:
        for process in self.processes:
            if process.alive:
                process.kill9()
        self.engine.dispose()


@contextmanager
def in_background(call: Callable[[], Any]) -> Iterator[Future[Any]]:
    """Run a blocking call (a request that will never be answered) on a thread."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        yield pool.submit(call)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def cut_off(future: Future[Any]) -> None:
    """The request in flight when its server was killed got no answer, only a dead socket."""
    try:
        answer = future.result(timeout=REQUEST_TIMEOUT)
    except requests.ConnectionError:
        return
    raise AssertionError(f"the killed request was answered: {answer.status_code}")


class Browser:
    """A member's browser against a (restartable) server: cookies and CSRF tokens."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.http = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.web.url + path, timeout=REQUEST_TIMEOUT, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.http.post(self.web.url + path, timeout=REQUEST_TIMEOUT, **kwargs)

    def csrf(self, path: str = "/") -> str:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page.text)
        assert tag, f"no CSRF token on {path}"
        value = re.search(r'value="([^"]+)"', tag.group(0))
        assert value
        return value.group(1)

    def login(self, email: str, password: str) -> None:
        token = self.csrf("/login")
        answer = self.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        assert answer.status_code == 302, answer.text[:500]
