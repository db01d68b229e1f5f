"""`registry run`: the whole product on one machine for a newcomer. It migrates the
database, loads the demo data once, then starts the web server and the worker as two
child processes, prints a banner with the address and the demo logins once the web
server answers, and stops both on Ctrl-C (or when either of them stops)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import FrameType

from registry import demo

#: Seconds the web server may take to answer its first /healthz.
START_TIMEOUT = 60.0
#: Seconds a child has to stop on its own before it is killed.
STOP_TIMEOUT = 10.0


class Stop(Exception):
    """SIGTERM or SIGINT reached the launcher."""


#: The signals that stop both children. SIGINT is handled here too, not left to Python's
#: KeyboardInterrupt: a process started in the background of a script begins with SIGINT
#: ignored, and Python then installs no handler of its own, so Ctrl-C did nothing.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


#: prctl(2)'s option that asks the kernel for a signal when the parent dies (Linux).
PR_SET_PDEATHSIG = 1


def die_with(parent: int) -> Callable[[], None]:
    """What a child runs before it executes its command: on Linux, the kernel sends it
    SIGTERM when the launcher dies, however it dies. A launcher killed with SIGKILL (an
    OOM kill, `kill -9`) runs no handler of its own, and its web server and worker were
    left behind holding the port. Elsewhere it does nothing."""

    def ask() -> None:
        if not sys.platform.startswith("linux"):
            return
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the launcher died before the request was made
            os.kill(os.getpid(), signal.SIGTERM)

    return ask


@dataclass(frozen=True)
class Plan:
    host: str
    port: int
    interval: float

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """The children's environment: links in emails follow the port unless set."""
        env = dict(base)
        env["PORT"] = str(self.port)
        env.setdefault("PUBLIC_BASE_URL", self.url)
        return env

    def commands(self) -> dict[str, list[str]]:
        python = sys.executable
        return {
            "web": [python, "-m", "portal.devserver", self.host, str(self.port)],
            "worker": [python, "-m", "registry.cli", "worker", "--interval", str(self.interval)],
        }


def banner(plan: Plan, public_base_url: str, demo_loaded: bool) -> str:
    lines = [
        "",
        "=" * 72,
        f"  Khata Registry is running at {plan.url}",
        f"  (web server and worker; the worker looks for work every {plan.interval:g} s)",
    ]
    if public_base_url.rstrip("/") != plan.url:
        lines.append(f"  Links in emails point to {public_base_url}")
    if demo_loaded:
        lines += [
            "",
            f"  Demo logins (password for all: {demo.MEMBER_PASSWORD})",
            *(f"    member  {email}" for _, _, _, email, _ in demo.DEMO_MEMBERS),
            f"    admin   {demo.ADMIN_EMAIL}",
            "  The admin also needs a two-factor code: add this key to an authenticator",
            f"  app: {demo.ADMIN_TOTP_SECRET}, or run `registry demo-code`.",
        ]
    lines += [
        "",
        "  Emails land in instance/outbox, SMS and WhatsApp in instance/sms and",
        "  instance/whatsapp. Press Ctrl-C to stop both processes.",
        "=" * 72,
        "",
    ]
    return "\n".join(lines)


def wait_until_up(url: str, web: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether the web server answered /healthz before `timeout` (False if it died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 (our own URL)
                return True
        except urllib.error.HTTPError:
            return True  # it answers (perhaps 503 while something is away): it is up
        except OSError:
            time.sleep(0.2)
    return False


def stop(children: Mapping[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children.values():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop


def run(
    plan: Plan,
    public_base_url: str,
    demo_loaded: bool,
    say: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
) -> int:
    """Start both children and watch them; the exit code of the first one to stop (0
    when stopped by a signal)."""
    env = plan.environment(os.environ if environ is None else environ)
    previous = {number: signal.signal(number, _raise_stop) for number in STOP_SIGNALS}
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in plan.commands().items():
            children[name] = subprocess.Popen(  # noqa: S603 (our own modules)
                command, env=env, preexec_fn=die_with(os.getpid())
            )
        if not wait_until_up(plan.url, children["web"], START_TIMEOUT):
            say(f"the web server did not start on {plan.url}")
            return 1
        say(banner(plan, public_base_url, demo_loaded))
        while True:
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    say(f"the {name} process stopped (exit code {code}); stopping the other")
                    return code or 1
            time.sleep(0.5)
    except Stop:  # SIGINT arrives as Stop too (STOP_SIGNALS)
        say("stopping the web server and the worker")
        return 0
    finally:
        stop(children)
        for number, handler in previous.items():
            signal.signal(number, handler)
