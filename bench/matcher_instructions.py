"""The matcher's cost per search counted in machine instructions, which a shared machine's
noise does not move.

    python -m bench.matcher_instructions [--size N] [--queries 300] [--root DIR]

Runs the dev set's first `--queries` queries through the matcher on the index file of
`bench.search_profile`'s registry (N businesses, built once per size), twice over, in a
process under `valgrind --tool=callgrind`, and the same process with no query; the
difference, per search, is what the searches cost. Timings of a change of a few percent
are lost in the noise of a machine shared with others (the same code read 1.1 to 1.9 ms
a query within minutes on 2026-12-06); the count moves by 0.2% or less from run to run,
so two versions of the code can be compared one after the other: `--root` counts another
checkout's code (its compiled modules built), the same registry and queries.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_profile import add_registry_options, prepare

ROOT = Path(__file__).resolve().parent.parent
#: The searches a count is made of: each query twice, the second time with the process's
#: caches as a busy worker has them.
PASSES = 2
#: What the child runs: search the first `count` queries `PASSES` times (0: start up only).
CHILD = """
import sys
from pathlib import Path
from bench.matching_quality import load_queries
from matching.normalise import canonical_city, normalise
from matching.search import search_name
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.process_index import CopiedIndex

folder, data = Path(sys.argv[1]), Path(sys.argv[2])
count, passes = int(sys.argv[3]), int(sys.argv[4])
copy = MappedIndexCopy.open(folder)
queries = [(normalise(q.q), q.city) for q in load_queries(data)[:count]]
for _ in range(passes):
    for query, city in queries:
        place = canonical_city(city) or query.city_hint
        search_name(query, CopiedIndex(copy, place), city=city, limit=5)
"""
COLLECTED = re.compile(r"Collected : (\d+)")


def add_count_options(parser: argparse.ArgumentParser, queries: int) -> None:
    """What every instruction count takes: the registry's options
    (`search_profile.add_registry_options`), how many dev-set queries (`queries` unless
    given), and the checkout whose code runs."""
    add_registry_options(parser)
    parser.add_argument("--queries", type=int, default=queries)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code runs")


def ready_to_count(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """Where valgrind is, or None, having said on stderr how to install it; with valgrind
    there, `--queries` below 1 is refused (`parser.error`)."""
    found = shutil.which("valgrind")
    if found is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
    elif args.queries < 1:
        parser.error("--queries must be at least 1")
    return found


def instructions(valgrind: str, root: Path, folder: Path, data: Path, count: int) -> int:
    """The instructions a child process under callgrind ran, searching `count` queries."""
    return counted(valgrind, root, CHILD, [str(folder), str(data), str(count), str(PASSES)])


def counted(valgrind: str, root: Path, code: str, arguments: list[str]) -> int:
    """The instructions Python running `code` with these arguments ran under callgrind,
    with `root`'s code first on the path."""
    run = subprocess.run(  # noqa: S603  (valgrind found on the PATH, our own arguments)
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            code,
            *arguments,
        ],
        cwd=root,
        # one hash seed, so that sets of strings iterate alike from run to run (what is
        # left between runs, from addresses and the like, is within 0.2%)
        env={**os.environ, "PYTHONPATH": str(root), "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    found = COLLECTED.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run failed ({run.returncode}): {run.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_count_options(parser, queries=300)
    args = parser.parse_args(argv)
    valgrind = ready_to_count(parser, args)
    if valgrind is None:
        return 2
    _, folder = prepare(args.workdir, args.size, args.data, args.seed)
    root = args.root.resolve()
    started = instructions(valgrind, root, folder, args.data.resolve(), 0)
    searched = instructions(valgrind, root, folder, args.data.resolve(), args.queries)
    searches = PASSES * args.queries
    print(f"== the matcher in instructions, {args.size:,} businesses, code of {root}")
    print(
        f"  {searches:,} searches ({args.queries:,} dev-set queries, {PASSES} passes): "
        f"{(searched - started) / searches / 1e6:.3f} million instructions a search "
        f"(start-up {started / 1e6:,.0f} million, counted apart)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
