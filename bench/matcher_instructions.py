"""The matcher's cost per search counted in machine instructions, which a shared machine's
noise does not move.

    python -m bench.matcher_instructions [--size N] [--queries 300] [--root DIR]

Runs the dev set's first `--queries` queries through the matcher on the index file of
`bench.search_profile`'s registry (N businesses, built once per size), in processes under
`valgrind --tool=callgrind`, after a warm-up on the dev set's last `WARM_UP` queries (the
common words' look-ups a busy worker keeps): once with no query, once with each query
searched once, and once with each searched twice. The differences, per search, are what
a query costs the first time a process sees it (what most of a worker's searches are: a
trader's typing is rarely the same twice) and again, with the caches as it left them.
Timings of a change of a few percent are lost in the noise of a machine shared with
others (the same code read 1.1 to 1.9 ms a query within minutes on 2026-12-06); the count
moved by 0.2 to 0.7% between runs, so two versions of the code can be compared one after
the other, a change of a percent or two with repeated counts: `--root` counts another
checkout's code (its compiled modules built), the same registry and queries.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_profile import add_registry_options, prepare

ROOT = Path(__file__).resolve().parent.parent
#: Queries searched before the count's, in every process: the dev set's last ones.
WARM_UP = 300
#: What the child runs: the warm-up, then the first `count` queries `passes` times.
CHILD = """
import sys
from pathlib import Path
from bench.matching_quality import load_queries
from matching.normalise import canonical_city, normalise
from matching.search import search_name
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.process_index import CopiedIndex

folder, data = Path(sys.argv[1]), Path(sys.argv[2])
count, passes, warm = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
copy = MappedIndexCopy.open(folder)
asked = load_queries(data)
for q in asked[-warm:] + [q for _ in range(passes) for q in asked[:count]]:
    query = normalise(q.q)
    place = canonical_city(q.city) or query.city_hint
    search_name(query, CopiedIndex(copy, place), city=q.city, limit=5)
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


def first_and_again(count: Callable[[int], int], queries: int) -> tuple[float, float]:
    """Instructions per search the first time a process sees a query, and again: from
    `count(passes)`, what a child ran searching `queries` queries `passes` times (0, 1
    and 2) after the same warm-up."""
    started, once, twice = count(0), count(1), count(2)
    return (once - started) / queries, (twice - once) / queries


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
    common = [str(folder), str(args.data.resolve()), str(args.queries)]
    first, again = first_and_again(
        lambda passes: counted(valgrind, root, CHILD, [*common, str(passes), str(WARM_UP)]),
        args.queries,
    )
    print(f"== the matcher in instructions, {args.size:,} businesses, code of {root}")
    print(report(first, again, f"{args.queries:,} dev-set queries after {WARM_UP} others"))
    return 0


def report(first: float, again: float, what: str) -> str:
    """The two figures of `first_and_again`, in millions."""
    return (
        f"  {what}: {first / 1e6:.3f} million instructions a search the first time a "
        f"process sees its query, {again / 1e6:.3f} million again"
    )


if __name__ == "__main__":
    raise SystemExit(main())
