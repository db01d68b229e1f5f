"""`make bench`: every benchmark, printing its figures.

1. Matching quality on the labelled dev set (hit@1/@5 by kind, latency, duplicates F1).
2. The registry at 1,000,000 businesses on SQLite and PostgreSQL: import time, search
   latency through the database index with a brute-force reference, find-duplicates time.
3. Load on the production stack (`make serve` on PostgreSQL with Redis, 100,000
   businesses, 20,000 complaints): throughput and p95 of search, report reads and
   complaint filing, each against `/healthz` on the same server (`bench/load.py`).

`BENCH_SIZE` changes the size of step 2 (default 1,000,000); `BENCH_LOAD=0` skips step 3.
`--scale N` adds step 4: N generated businesses (15,000,000 if you like) written to a CSV,
the index file built straight from it (no database), and a fresh worker process mapping it:
file size, build time, memory added per worker, ready time, search p50/p95, hit@1/hit@5
(`bench/scale_file.py`; run alone with `python -m bench.scale_file --scale N`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bench import load, matching_quality, registry_scale, scale_file


def main(argv: Sequence[str] | None = None) -> int:
    # One option (the environment says the other sizes), and `--help` says so instead of
    # starting an hour of benchmarks.
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", type=int, metavar="N", help="also build the index file of N")
    args = parser.parse_args(argv)
    matching_quality.main([])
    size = os.environ.get("BENCH_SIZE", "1000000")
    status = registry_scale.main(["--size", size, "--backend", "both"])
    if os.environ.get("BENCH_LOAD", "1") != "0":
        status = load.main([]) or status
    if args.scale:
        status = scale_file.main(["--scale", str(args.scale)]) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
