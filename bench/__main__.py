"""`make bench`: every benchmark, printing its figures.

1. Matching quality on the labelled dev set (hit@1/@5 by kind, latency, duplicates F1).
2. The registry at 1,000,000 businesses on SQLite and PostgreSQL: import time, search
   latency through the database index with a brute-force reference, find-duplicates time.

`BENCH_SIZE` changes the size of step 2 (default 1,000,000).
"""

from __future__ import annotations

import os
import sys

from bench import matching_quality, registry_scale


def main() -> int:
    matching_quality.main([])
    size = os.environ.get("BENCH_SIZE", "1000000")
    return registry_scale.main(["--size", size, "--backend", "both"])


if __name__ == "__main__":
    sys.exit(main())
