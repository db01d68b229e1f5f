"""A small load run against a running server (`make serve`, ideally on PostgreSQL with
RATELIMIT_ENABLED=false): throughput and p50/p95 latency of health, search and report
reads. Bounded in time; prints figures; not a test.

    python -m bench.load --base-url http://127.0.0.1:5000 --key kr_... --seconds 10
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence

DEFAULT_PATHS = (
    "/healthz",
    "/api/v1/businesses/search?q=Lakshmi%20Paper",
    "/api/v1/businesses/search?q=shree%20ganesh%20traders",
    "/api/v1/reports/orders/1",
)


def _worker(
    base: str, path: str, key: str | None, until: float, out: list[tuple[float, int]]
) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    while time.perf_counter() < until:
        request = urllib.request.Request(base + path, headers=headers)  # noqa: S310
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        out.append((time.perf_counter() - started, status))


def measure(base: str, path: str, key: str | None, seconds: float, clients: int) -> str:
    results: list[tuple[float, int]] = []
    until = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_worker, args=(base, path, key, until, results))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(t for t, _ in results) or [0.0]
    errors = sum(1 for _, status in results if status == 0 or status >= 500)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return (
        f"{path:55s} {len(results) / seconds:8.1f} req/s  "
        f"p50 {statistics.median(times) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
        f"errors {errors}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--key", help="a member's API key (search and reports need one)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per path, at most 60")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients, at most 64")
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = parser.parse_args(argv)
    base = args.base_url.rstrip("/")
    if not base.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("load runs only against a local server (127.0.0.1)")
    seconds, clients = min(args.seconds, 60.0), max(1, min(args.clients, 64))
    print(f"{clients} clients, {seconds:g} s per path, against {base}")
    for path in args.paths:
        print(measure(base, path, args.key, seconds, clients), flush=True)


if __name__ == "__main__":
    main()
