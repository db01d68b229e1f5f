"""`make bench`: every benchmark, printing its figures.

1. Matching quality on the labelled dev set (hit@1/@5 by kind, latency, duplicates F1).
2. The registry at 1,000,000 businesses on SQLite and PostgreSQL: import time, search
   latency through the database index with a brute-force reference, find-duplicates time.
3. Load on the production stack (`make serve` on PostgreSQL with Redis, 100,000
   businesses, 20,000 complaints): throughput and p95 of search, report reads and
   complaint filing, each against `/healthz` on the same server (`bench/load.py`).

`BENCH_SIZE` changes the size of step 2 (default 1,000,000); `BENCH_LOAD=0` skips step 3.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bench import load, matching_quality, registry_scale


def main(argv: Sequence[str] | None = None) -> int:
    # No options of its own (the environment says the sizes), but `--help` says so
    # instead of starting an hour of benchmarks.
    argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    ).parse_args(argv)
    matching_quality.main([])
    size = os.environ.get("BENCH_SIZE", "1000000")
    status = registry_scale.main(["--size", size, "--backend", "both"])
    if os.environ.get("BENCH_LOAD", "1") != "0":
        status = load.main([]) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
