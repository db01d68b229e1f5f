"""A crash-test hook: stop a process at a named point so a test can `kill -9` it there.

`tests/production/test_kill9.py` starts gunicorn and `registry worker` with
`REGISTRY_FAULT_PAUSE=<point>` and `REGISTRY_FAULT_DIR=<dir>`. When the process reaches
`pause(<point>)` it writes `<dir>/<point>.<pid>` and sleeps; the test sees the file and
sends SIGKILL, so the crash lands exactly between a write and its commit.

Inert unless both variables are set, and always inert with `REGISTRY_ENV=production`: a
production process never stops here, whatever its environment says. The points:

- `bulk-step`: a bulk import step has filed a complaint, not yet committed
- `filing-stored`: a complaint is written with its uploaded evidence, not yet committed
- `payment-unlocked`: an order is paid, ledgered and its report stored, not yet committed
- `mail-sent`: the mailer has accepted a message, its `sent_at` not yet committed
- `worker-round`: the worker's time-based transitions are written, not yet committed
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINT = "REGISTRY_FAULT_PAUSE"
DIRECTORY = "REGISTRY_FAULT_DIR"
#: Long enough for any test to notice and kill; a process left alive fails loudly after it.
HOLD_SECONDS = 120.0


class FaultNotKilled(RuntimeError):
    """The process paused at a fault point and nobody killed it."""


def pause(point: str) -> None:
    """Block here, for a crash test, if this process was started to stop at `point`."""
    if os.environ.get(POINT) != point:
        return
    directory = os.environ.get(DIRECTORY)
    if not directory or os.environ.get("REGISTRY_ENV", "development") == "production":
        return
    marker = Path(directory) / f"{point}.{os.getpid()}"
    partial = marker.with_name(f".{marker.name}.tmp")
    partial.write_text(str(os.getpid()))
    partial.replace(marker)
    time.sleep(HOLD_SECONDS)
    raise FaultNotKilled(f"paused at {point!r} for {HOLD_SECONDS:.0f} s and was not killed")
