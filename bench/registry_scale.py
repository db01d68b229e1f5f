"""The registry at scale, on its real database index: import, search, find-duplicates.

    python -m bench.registry_scale [--size N] [--backend sqlite|postgresql|both]

Grows the labelled directory of `../shared/bench/matching` to N businesses with synthetic
ones (the 20,000 labelled ones stay inside), loads it with the same code as
`registry import-businesses`, then times the 2,000 labelled queries through
`registry.directory.search` (the database-backed index every web worker shares), the same through a
web worker's in-memory copy of the index (its load time, memory and latency, and whether
its answers are the tables'), a brute-force `rapidfuzz.process.extract` over all names as
the reference, and `find-duplicates`.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process, utils
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from bench import ambiguity
from bench.matching_quality import (
    DEFAULT_DATA,
    Query,
    build_index,
    load_businesses,
    load_queries,
    percentile,
    run_queries,
)
from bench.synthetic import generate
from matching.normalise import canonical_city, normalise
from matching.score import score_normalised
from registry import migrate
from registry.actors import SYSTEM
from registry.db import make_engine, make_sessionmaker
from registry.directory import duplicates, import_businesses, search
from registry.search_index import bulk_load, index_file
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.memory_copy import IndexCopy
from registry.search_index.process_index import IndexCopies

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def write_directory(path: Path, size: int, data: Path, seed: int) -> list[int]:
    """The CSV to import; returns the labelled id of each data line (0 for synthetic)."""
    labelled = load_businesses(data)
    generated = write_rows(path, labelled, size, seed)
    return [int(row["id"]) for row in labelled] + [0] * generated


def write_rows(path: Path, labelled: list[dict[str, str]], size: int, seed: int) -> int:
    """`size` businesses as `registry import-businesses` reads them: the `labelled` ones,
    then generated ones (written as they are made, in constant memory). Returns how many
    were generated."""
    generated = max(0, size - len(labelled))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["name", "gstin", "pan", "city", "state"])
        for row in labelled:
            out.writerow([row["name"], row["gstin"], row["pan"], row["city"], row["state"]])
        for business in generate(generated, seed=seed):
            out.writerow(
                [
                    business.name,
                    business.gstin or "",
                    business.pan or "",
                    business.city,
                    business.state,
                ]
            )
    return generated


def _same_name(a: str, b: str) -> bool:
    return normalise(a).folded_tokens == normalise(b).folded_tokens


def _truth_score(session: Session, query: Query, truth_id: int | None) -> float:
    """The labelled truth's score for the query, as the search would give it had the index
    brought it to the scorer: tells a miss of the scorer's judgement (often a generated name
    closer to what was typed) from one of the index's recall."""
    normal = normalise(query.q)
    city = canonical_city(query.city) or normal.city_hint
    index = search.DatabaseIndex(session, normal.folded_tokens, city)
    truth = index.candidates([truth_id]).get(truth_id) if truth_id is not None else None
    return round(score_normalised(normal, truth, index.stats, city), 1) if truth else 0.0


def _compared(truth: float, winner: float) -> str:
    if truth < winner:
        return "lower"
    return "equal" if truth == winner else "higher"


def fresh_database(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'scale.sqlite3'}", None
    name = f"registry_bench_{secrets.token_hex(4)}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name


def drop_database(name: str | None) -> None:
    if name is None:
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def hits_at_labelled_size(data: Path, queries: list[Query]) -> list[bool]:
    """Whether each query finds its business first in the labelled directory alone."""
    rows = load_businesses(data)
    index = build_index(
        (int(b["id"]), b["name"], b["city"] or None, b["state"] or None) for b in rows
    )
    results, _ = run_queries(index, queries)
    return [ids[:1] == [query.truth] for query, ids in zip(queries, results, strict=True)]


def run(backend: str, size: int, data: Path, seed: int, brute_sample: int) -> None:
    queries = load_queries(data)
    small_hits = hits_at_labelled_size(data, queries)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "directory.csv"
        labelled_ids = write_directory(csv_path, size, data, seed)
        url, dbname = fresh_database(backend, workdir)
        try:
            migrate.upgrade(url)
            engine = make_engine(url)
            sessions = make_sessionmaker(engine)
            print(f"\n== {backend}: {len(labelled_ids):,} businesses")
            started = time.perf_counter()
            with sessions.begin() as session:
                report = import_businesses.import_file(session, csv_path, SYSTEM)
            bulk_load.vacuum(engine)  # as `registry import-businesses` does
            imported = time.perf_counter() - started
            counts = report.counts()
            print(
                f"  import: {imported:.1f} s ({counts['created']:,} created, "
                f"{counts['matched']:,} matched, {counts['error']:,} refused)"
            )
            to_db = {
                labelled_ids[o.line - 2]: o.business_id
                for o in report.outcomes
                if o.business_id and labelled_ids[o.line - 2]
            }
            latencies, hits, namesakes, named = [], 0, 0, 0
            judged: dict[str, int] = {"lower": 0, "equal": 0, "higher": 0}
            truth_names = {int(r["id"]): r["name"] for r in load_businesses(data)}
            labelled_in_db = set(to_db.values())
            outcomes = []
            with sessions() as session:
                search.search(session, queries[0].q)  # warm the connection
                for query in queries:
                    start = time.perf_counter()
                    found = search.search(session, query.q, city=query.city, limit=5)
                    latencies.append((time.perf_counter() - start) * 1000)
                    first = found.hits[0].business if found.hits else None
                    outcomes.append(
                        ambiguity.Outcome(
                            query.q,
                            query.city,
                            truth_names[query.truth],
                            hit=first is not None and first.id == to_db.get(query.truth),
                            winner_name=first.name if first else None,
                            winner_city=first.city if first else None,
                            winner_generated=first is not None and first.id not in labelled_in_db,
                            tied=ambiguity.tied_first(
                                [h.business.id for h in found.hits],
                                [h.score for h in found.hits],
                                to_db.get(query.truth),
                            ),
                        )
                    )
                    if outcomes[-1].hit:
                        hits += 1
                    elif found.hits:
                        winner = found.hits[0].business.name
                        namesakes += _same_name(winner, truth_names[query.truth])
                        named += _same_name(winner, query.q)
                        truth = _truth_score(session, query, to_db.get(query.truth))
                        judged[_compared(truth, found.hits[0].score)] += 1
                    else:  # nothing found at all
                        judged["higher"] += 1
            p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
            print(
                f"  search ({len(queries)} queries): hit@1 {hits / len(queries):.4f}  "
                f"p50 {p50:.2f} ms  p95 {p95:.2f} ms\n"
                f"  misses: {len(queries) - hits} ({namesakes} to a business of the truth's "
                "folded name, in another city or with another legal form; "
                f"{named} to a business named as the query was typed). Scored directly, the truth "
                f"scores below the winner in {judged['lower']}, the same in {judged['equal']} "
                f"(lost the tie), above it in {judged['higher']} (the index did not bring the "
                "truth to the scorer)"
            )
            print(ambiguity.report(outcomes, small_hits, len(truth_names)))
            _through_a_copy(sessions, queries, workdir / "index", url)
            names = []
            with csv_path.open(newline="", encoding="utf-8") as handle:
                names = [utils.default_process(r["name"]) for r in csv.DictReader(handle)]
            sample = queries[:: max(1, len(queries) // brute_sample)][:brute_sample]
            start = time.perf_counter()
            for query in sample:
                process.extract(
                    utils.default_process(query.q),
                    names,
                    scorer=fuzz.WRatio,
                    limit=5,
                    processor=None,
                )
            brute = (time.perf_counter() - start) * 1000 / len(sample)
            print(
                f"  brute force process.extract over all names: {brute:.0f} ms/query; "
                f"search is {brute / statistics.fmean(latencies):.0f}x faster on average, "
                f"{brute / p95:.0f}x at p95"
            )
            started = time.perf_counter()
            with sessions.begin() as session:
                summary = duplicates.refresh(session)
            print(
                f"  find-duplicates: {time.perf_counter() - started:.1f} s "
                f"({summary['open_pairs']:,} open pairs)"
            )
            engine.dispose()
        finally:
            drop_database(dbname)


def status_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (Linux), in MB; 0 where it cannot be read.
    `RssAnon` is the part of its own (not the mapped files', shared by the page cache)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _timed_searches(
    sessions: sessionmaker[Session], queries: list[Query], copies: IndexCopies, limit: int = 5
) -> tuple[list[float], int]:
    """Latencies of the queries from `copies`, and how many answers (the top `limit`, with
    scores) differ from the tables'."""
    latencies, differ = [], 0
    with sessions() as session:
        for query in queries:
            start = time.perf_counter()
            from_copy = search.search(session, query.q, city=query.city, limit=limit, copies=copies)
            latencies.append((time.perf_counter() - start) * 1000)
            tables = search.search(session, query.q, city=query.city, limit=limit)
            differ += [(h.business.id, h.score) for h in from_copy.hits] != [
                (h.business.id, h.score) for h in tables.hits
            ]
    return latencies, differ


def mapped_worker(url: str, directory: Path, data: Path) -> None:
    """What a web worker pays with the machine's index file (run in a process of its own
    by the benchmark): time until it serves, memory of its own after a warm-up, latency."""
    queries = load_queries(data)
    sessions = make_sessionmaker(make_engine(url))
    with sessions() as session:
        search.search(session, queries[0].q)  # the connection and the code, as any worker
    anon, total = status_mb("RssAnon"), status_mb()
    started = time.perf_counter()
    copies = IndexCopies(background=False, directory=directory)
    with sessions() as session:
        search.search(session, queries[0].q, copies=copies)
    ready = time.perf_counter() - started
    assert isinstance(copies.copy, MappedIndexCopy), "the index file was not used"
    # warm-up, asked for another number of results: none of the searches timed next is
    # then a repeat the worker answers from its kept answers (`IndexCopy.answer`)
    _timed_searches(sessions, queries[:200], copies, limit=6)
    latencies, differ = _timed_searches(sessions, queries, copies)
    print(
        f"  from the machine's index file: worker ready in {ready:.2f} s, "
        f"{status_mb('RssAnon') - anon:,.0f} MB of its own "
        f"(+{status_mb() - total:,.0f} MB resident counting the shared mapped pages); "
        f"search p50 {percentile(latencies, 50):.2f} ms  p95 {percentile(latencies, 95):.2f} ms; "
        f"{differ} of {len(queries)} answers differ from the tables'",
        flush=True,
    )


def _through_a_copy(
    sessions: sessionmaker[Session], queries: list[Query], directory: Path, url: str
) -> None:
    """The same searches answered from a web worker's copy of the index
    (`registry.search_index.memory_copy`): its load time and memory, its latency, and whether every
    answer (the top five, with scores) is the one the tables gave; then the same from the
    machine's index file (`registry.search_index.index_file`), written from that copy, in a
    process of its own."""
    before = status_mb()
    started = time.perf_counter()
    with sessions() as session:
        copy = IndexCopy.load(session.connection())
    loaded = time.perf_counter() - started
    copies = IndexCopies(background=False)
    copies.copy = copy
    latencies, differ = _timed_searches(sessions, queries, copies)
    print(
        f"  from a web worker's index copy: loaded in {loaded:.0f} s, "
        f"{status_mb() - before:,.0f} MB; search p50 {percentile(latencies, 50):.2f} ms  "
        f"p95 {percentile(latencies, 95):.2f} ms; {differ} of {len(queries)} answers "
        "differ from the tables'",
        flush=True,
    )
    started = time.perf_counter()
    folder = index_file.write(copy, directory)
    size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
    print(f"  index file: written in {time.perf_counter() - started:.1f} s, {size:,.0f} MB")
    del copy, copies
    subprocess.run(  # noqa: S603  (this interpreter, this module, our own arguments)
        [sys.executable, "-m", "bench.registry_scale", "--mapped-worker", url, str(directory)],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--brute-sample", type=int, default=20)
    parser.add_argument("--mapped-worker", nargs=2, metavar=("URL", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mapped_worker:
        mapped_worker(args.mapped_worker[0], Path(args.mapped_worker[1]), args.data)
        return 0
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        run(backend, args.size, args.data, args.seed, args.brute_sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
