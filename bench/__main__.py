"""`make bench`: every benchmark, printing its figures.

1. Matching quality on the labelled dev set (hit@1/@5 by kind, latency, duplicates F1).
2. The registry at 1,000,000 businesses on SQLite and PostgreSQL: import time, search
   latency through the database index with a brute-force reference, find-duplicates time.
3. Load on the production stack (`make serve` on PostgreSQL with Redis, 100,000
   businesses, 20,000 complaints): throughput and p95 of search, report reads and
   complaint filing, each against `/healthz` on the same server (`bench/load.py`).

`BENCH_SIZE` changes the size of step 2 (default 1,000,000); `BENCH_LOAD=0` skips step 3.

With `--scale N` (`make bench SCALE=N`) it runs step 1 and then only the machine's index file
at N businesses on PostgreSQL (`bench/index_scale.py`): import time, the file's build time,
size and the builder's peak memory, a web worker's ready time and memory of its own, search
p50/p95 and hit@1/hit@5 on the labelled queries inside the grown directory. Above 2,000,000
businesses (an import into a registry would take hours) the file is built straight from the
generated CSV, without a database (`bench/scale_file.py`), and the same figures printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bench import index_scale, load, matching_quality, registry_scale, scale_file

#: Above this many businesses `--scale` builds the index file from the generated CSV alone.
LARGEST_IMPORT = 2_000_000


def main(argv: Sequence[str] | None = None) -> int:
    # The environment says the sizes of the full run; `--help` says so instead of starting
    # an hour of benchmarks.
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", type=int, metavar="N", help="the index file at N businesses")
    args = parser.parse_args(argv)
    matching_quality.main([])
    if args.scale:
        if args.scale > LARGEST_IMPORT:
            return scale_file.main(["--scale", str(args.scale)])
        return index_scale.main(["--size", str(args.scale), "--backend", "postgresql"])
    size = os.environ.get("BENCH_SIZE", "1000000")
    status = registry_scale.main(["--size", size, "--backend", "both"])
    if os.environ.get("BENCH_LOAD", "1") != "0":
        status = load.main([]) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
