"""The machine's index file at N businesses: what `make bench --scale N` prints.

    python -m bench.index_scale --size N [--backend sqlite|postgresql] [--data DIR] [--workdir DIR]

Grows the labelled directory (`../shared/bench/matching`, its businesses kept inside) to N
with generated names, loads it with `import-businesses`' code into a registry (SQLite, or a
PostgreSQL database of its own, dropped at the end, as `make bench SCALE=N` runs it),
writes the index file as the worker does, then starts a process of its own as a web
worker would and measures, in that process: how long until it answers a search from the
file, the memory it adds of its own (the file's pages are the page cache's, shared by
every worker of the machine), search p50/p95 over the labelled queries (the service's
search: the matcher on the file and the statement for the businesses shown), hit@1/hit@5,
and hit@1 on the queries the generated businesses leave unambiguous (`bench/ambiguity.py`).
Each figure is printed on its own line, `name: value`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ambiguity
from bench.matching_quality import DEFAULT_DATA, load_businesses, load_queries, percentile
from bench.registry_scale import (
    drop_database,
    fresh_database,
    hits_at_labelled_size,
    status_mb,
    write_directory,
)
from registry import migrate
from registry.actors import SYSTEM
from registry.db import make_engine, make_sessionmaker
from registry.directory import import_businesses, search
from registry.search_index import bulk_load, index_file, mapped_file
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.process_index import IndexCopies


def build(size: int, data: Path, workdir: Path, url: str, seed: int = 7) -> tuple[Path, Path]:
    """The registry at `url` and its index file at `size`; the index directory and the
    JSON file mapping each labelled id to its business id."""
    csv_path = workdir / "directory.csv"
    started = time.perf_counter()
    labelled = write_directory(csv_path, size, data, seed)
    print(f"generated: {len(labelled):,} businesses in {time.perf_counter() - started:.1f} s")
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    started = time.perf_counter()
    with sessions.begin() as session:
        report = import_businesses.import_file(session, csv_path, SYSTEM)
    bulk_load.vacuum(engine)
    print(f"import: {time.perf_counter() - started:.1f} s")
    truth = {
        labelled[o.line - 2]: o.business_id
        for o in report.outcomes
        if o.business_id and labelled[o.line - 2]
    }
    report.close()
    mapping = workdir / "truth.json"
    mapping.write_text(json.dumps(truth))
    directory = workdir / "index"
    before = status_mb("VmHWM")
    started = time.perf_counter()
    with engine.connect() as connection:
        index_file.refresh(connection, directory)
    built = time.perf_counter() - started
    folder = mapped_file.current_folder(directory)
    assert folder is not None
    size_mb = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
    print(f"index file build: {built:.1f} s")
    print(f"index file size: {size_mb:,.0f} MB")
    print(f"index file build peak memory: {max(status_mb('VmHWM'), before):,.0f} MB")
    engine.dispose()
    return directory, mapping


def worker(url: str, directory: Path, mapping: Path, data: Path) -> None:
    """A web worker's view (run in a process of its own): ready time, memory of its own,
    latency and quality of searches answered from the machine's file."""
    queries = load_queries(data)
    truth = {int(k): v for k, v in json.loads(mapping.read_text()).items()}
    sessions = make_sessionmaker(make_engine(url))
    with sessions() as session:
        search.search(session, "warm up the connection and the code")
    anon = status_mb("RssAnon")
    started = time.perf_counter()
    copies = IndexCopies(background=False, directory=directory)
    with sessions() as session:
        search.search(session, queries[0].q, copies=copies)
    ready = time.perf_counter() - started
    assert isinstance(copies.copy, MappedIndexCopy), "the index file was not used"
    latencies, first, top5 = [], 0, 0
    truth_names = {int(r["id"]): r["name"] for r in load_businesses(data)}
    labelled = set(truth.values())
    outcomes = []
    with sessions() as session:
        # warm-up, as a worker that has served a while; asked for another number of
        # results, so that none of the searches timed below is a repeat the worker
        # answers from its kept answers (`IndexCopy.answer`): each is new to it
        for query in queries[:200]:
            search.search(session, query.q, city=query.city, limit=6, copies=copies)
        for query in queries:
            start = time.perf_counter()
            found = search.search(session, query.q, city=query.city, limit=5, copies=copies)
            latencies.append((time.perf_counter() - start) * 1000)
            ids = [hit.business.id for hit in found.hits]
            wanted = truth.get(query.truth)
            first += bool(ids) and ids[0] == wanted
            top5 += wanted in ids
            winner = found.hits[0].business if found.hits else None
            outcomes.append(
                ambiguity.Outcome(
                    query.q,
                    query.city,
                    truth_names[query.truth],
                    hit=bool(ids) and ids[0] == wanted,
                    winner_name=winner.name if winner else None,
                    winner_city=winner.city if winner else None,
                    winner_generated=winner is not None and winner.id not in labelled,
                    tied=ambiguity.tied_first(ids, [h.score for h in found.hits], wanted),
                )
            )
    print(f"worker ready: {ready:.2f} s")
    print(f"worker memory of its own: {status_mb('RssAnon') - anon:,.0f} MB")
    print(f"search p50: {percentile(latencies, 50):.2f} ms")
    print(f"search p95: {percentile(latencies, 95):.2f} ms")
    print(f"hit@1: {first / len(queries):.4f}")
    print(f"hit@5: {top5 / len(queries):.4f}")
    small = hits_at_labelled_size(data, queries)
    print(ambiguity.report(outcomes, small, len(truth_names)).strip(), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, help="keep the registry and file here")
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="where the registry lives (postgresql: a database of its own, dropped after)",
    )
    parser.add_argument(
        "--worker", nargs=3, metavar=("URL", "DIR", "TRUTH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]), args.data)
        return 0
    print(f"\n== the index file at {args.size:,} businesses ({args.backend})")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        url, database = fresh_database(args.backend, workdir)
        try:
            directory, mapping = build(args.size, args.data, workdir, url)
            _serve(url, directory, mapping, args.data)
        finally:
            drop_database(database)
    return 0


def _serve(url: str, directory: Path, mapping: Path, data: Path) -> None:
    """`worker` in a fresh process, as a web worker starts."""
    subprocess.run(  # noqa: S603  (this interpreter, this module, our own arguments)
        [
            sys.executable,
            "-m",
            "bench.index_scale",
            "--data",
            str(data),
            "--worker",
            url,
            str(directory),
            str(mapping),
        ],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )


if __name__ == "__main__":
    raise SystemExit(main())
