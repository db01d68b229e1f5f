"""A light load client: a few asyncio tasks on aiohttp, each sending one request after
another for a fixed time, recording latency and status. One process, one thread, so it
takes as little of the server's CPU as a client can."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

#: One request: method, path, JSON body (or None), API key (or None).
Request = tuple[str, str, Any, str | None]
MakeRequest = Callable[[], Request]


@dataclass
class Phase:
    """What was measured for one endpoint."""

    name: str
    expected: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0  # connection errors and timeouts
    client_cpu: float = 0.0
    #: CPU seconds each part of the server side spent meanwhile (`bench.process_cpu`)
    server_cpu: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return self.statuses.get(self.expected, 0)

    @property
    def errors(self) -> int:
        return self.failures + sum(n for s, n in self.statuses.items() if s != self.expected)

    @property
    def throughput(self) -> float:
        """Answers with the expected status per second."""
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """Latency in ms of the answers (any status) at this share, nearest rank."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def _client(
    http: aiohttp.ClientSession, base: str, make: MakeRequest, until: float, phase: Phase
) -> None:
    while time.perf_counter() < until:
        method, path, body, key = make()
        headers = {"Authorization": f"Bearer {key}"} if key else None
        started = time.perf_counter()
        try:
            async with http.request(method, base + path, json=body, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            phase.failures += 1
            continue
        phase.latencies.append(time.perf_counter() - started)
        phase.statuses[status] = phase.statuses.get(status, 0) + 1


async def _run(base: str, make: MakeRequest, seconds: float, clients: int, phase: Phase) -> None:
    connector = aiohttp.TCPConnector(limit=clients, keepalive_timeout=30)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(_client(http, base, make, until, phase) for _ in range(clients)))
        phase.seconds = time.perf_counter() - started


def measure(
    name: str,
    base: str,
    make: MakeRequest,
    *,
    expected: int = 200,
    seconds: float,
    clients: int,
) -> Phase:
    """Send `make()`'s requests from `clients` concurrent clients for `seconds`."""
    phase = Phase(name, expected)
    cpu = time.process_time()
    asyncio.run(_run(base, make, seconds, clients, phase))
    phase.client_cpu = time.process_time() - cpu
    return phase
