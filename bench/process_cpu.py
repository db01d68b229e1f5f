"""The CPU time each part of the stack spends, read from Linux's `/proc`: the web workers
(gunicorn) and the worker (`registry worker`) of `make serve`'s process group, the
PostgreSQL server's processes and Redis (all of theirs on this machine). A load phase
reads it before and after, so its figures say what one answer costs the machine and
where (`bench.load`), not only how many answers came back. Empty without `/proc`."""

from __future__ import annotations

import os
from pathlib import Path

#: The parts, in the order they are printed.
PARTS = ("web", "worker", "postgres", "redis")
_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _part(pid: str, group: int, name: str, process_group: int) -> str | None:
    if process_group == group:
        try:
            command = (_PROC / pid / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return None
        if b"gunicorn" in command:
            return "web"
        if b"registry" in command and b"worker" in command:
            return "worker"
        return None  # make and its shell
    if name == "postgres":
        return "postgres"
    if name == "redis-server":
        return "redis"
    return None


def cpu_seconds(group: int) -> dict[str, float]:
    """User and system CPU seconds spent so far by each part (`group`: the process group
    of `make serve`)."""
    spent = dict.fromkeys(PARTS, 0.0)
    if not _PROC.is_dir():
        return {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid pgrp ... utime stime": comm may hold spaces
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        part = _part(entry.name, group, name, int(fields[2]))
        if part is not None:
            spent[part] += (int(fields[11]) + int(fields[12])) / _TICKS
    return spent


def spent_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each part spent between two readings (a process that ended meanwhile
    takes its time with it, so a part never goes below 0)."""
    return {part: max(0.0, after.get(part, 0.0) - before.get(part, 0.0)) for part in after}
