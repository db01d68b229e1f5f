"""Where a name search's time goes with the machine's index file, in process.

    python -m bench.search_profile [--size N] [--workdir DIR] [--profile]

Builds (once per size and work directory, then reused) a SQLite registry of N businesses
(the labelled directory of `../shared/bench/matching` grown with synthetic ones, imported
as `registry import-businesses` does) and its index file, then times the 2,000 labelled
queries through `matching.search.search_name` on the mapped file (no statement per
search: the matcher's own time) three ways, each query all three in turn: now
(candidates prepared in the file and read by `registry.search_index._candidates`, the
compiled pre-ranking `matching._evidence`, the compiled scorer `matching._align` with
`matching._similarity`), now with the pure-Python scorer (`matching.align` alone; its
memo of word pairs still works them out with the compiled similarity), and as before
(candidates rebuilt from name rows, the pure-Python pre-ranking and scorer).
Prints p50/p95 of each and their ratios; `--profile` adds cProfile's top functions of
the path as it is now. The queries are timed after a pass over all of them, with the
caches as a worker that has answered them keeps them: a query a process sees for the
first time costs about a third more (`bench.matcher_instructions` counts both).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Collection, Mapping
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.matching_quality import DEFAULT_DATA, load_queries, percentile
from bench.registry_scale import write_directory
from matching import align, fast
from matching.normalise import NormalName, canonical_city, normalise
from matching.score import Candidate
from matching.search import search_name
from registry import migrate
from registry.actors import SYSTEM
from registry.db import make_engine, make_sessionmaker
from registry.directory import import_businesses
from registry.search_index import bulk_load, index_file, mapped_file
from registry.search_index.database_index import candidates_of
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.process_index import CopiedIndex


class _AsBefore(CopiedIndex):
    """A search as it was before: each candidate rebuilt from its name rows (JSON, then
    `candidates_of`), every posting list made Python ints whole and each key looked up
    again for its city's ids, and (with `fast.ENABLED` off) the pure-Python
    pre-ranking."""

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        names = self.copy.names
        return candidates_of(row for i in sorted(ids) for row in names.get(i, ()))

    def _capped(
        self, keys: Collection[str], cap: int, city: str | None = None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        copy = self.copy  # each list whole as Python ints, each key looked up again
        everywhere = {k: list(ids[:cap]) for k, ids in copy.postings_of(keys).items()}
        here: dict[str, list[int]] = {}
        if city is not None:
            for key in everywhere:
                ids = copy.in_city(key, city)
                if ids:
                    here[key] = list(ids[:cap])
        return everywhere, here


def add_registry_options(parser: argparse.ArgumentParser) -> None:
    """The options naming the registry `prepare` builds or reuses: the labelled data
    (`--data`), how many businesses (`--size`), where (`--workdir`), the generator's
    `--seed`."""
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("instance/bench"))
    parser.add_argument("--seed", type=int, default=7)


def prepare(workdir: Path, size: int, data: Path, seed: int) -> tuple[str, Path]:
    """The database URL and index directory for `size` businesses (built when missing)."""
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / f"registry-{size}.sqlite3"
    directory = workdir / f"index-{size}"
    url = f"sqlite:///{database}"
    if not database.exists() or mapped_file.current_folder(directory) is None:
        database.unlink(missing_ok=True)
        csv_path = workdir / f"directory-{size}.csv"
        write_directory(csv_path, size, data, seed)
        migrate.upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        with make_sessionmaker(engine).begin() as session:
            import_businesses.import_file(session, csv_path, SYSTEM)
        bulk_load.vacuum(engine)
        print(f"imported {size:,} businesses in {time.perf_counter() - started:.0f} s")
        engine.dispose()
    engine = make_engine(url)
    with engine.connect() as connection:
        index_file.refresh(connection, directory)  # a file of this release's format
    engine.dispose()
    return url, directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_registry_options(parser)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    url, directory = prepare(args.workdir, args.size, args.data, args.seed)
    engine = make_engine(url)
    copy = MappedIndexCopy.open(directory)
    assert copy is not None
    with engine.connect() as connection:
        copy.catch_up(connection)
    engine.dispose()
    queries = [(normalise(q.q), q.city) for q in load_queries(args.data)]

    def once(mode: str, query: NormalName, city: str | None) -> float:
        before = mode == "before"
        fast.ENABLED = not before
        align.COMPILED = mode == "now" and align.COMPILED_MODULE is not None
        place = canonical_city(city) or query.city_hint
        backend = (_AsBefore if before else CopiedIndex)(copy, place)
        start = time.perf_counter()
        search_name(query, backend, city=city, limit=5)
        return (time.perf_counter() - start) * 1000

    def timed(mode: str) -> list[float]:
        return [once(mode, query, city) for query, city in queries]

    timed("now")  # warm-up: the mapped pages and the caches
    modes = ("before", "python scorer", "now")
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for n, (query, city) in enumerate(queries):  # interleaved, each first in turn
        for k in range(len(modes)):
            mode = modes[(n + k) % len(modes)]
            times[mode].append(once(mode, query, city))
    print(f"== {args.size:,} businesses, {len(queries):,} queries, from the index file")
    if align.COMPILED_MODULE is None:
        print("  (the compiled scorer is not built: `now` is the pure-Python scorer too)")
    for mode, values in times.items():
        print(
            f"  {mode:>13}: p50 {percentile(values, 50):.2f} ms  "
            f"p95 {percentile(values, 95):.2f} ms"
        )
    now = times["now"]
    for mode in modes[:-1]:
        print(
            f"  now / {mode}: p50 x{percentile(now, 50) / percentile(times[mode], 50):.2f}"
            f"  p95 x{percentile(now, 95) / percentile(times[mode], 95):.2f}",
            flush=True,
        )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(timed, "now")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
