"""The index file at a scale no test database holds: built straight from a generated CSV.

    python -m bench.scale_file --scale N

Writes N businesses to a CSV (the labelled businesses of `../shared/bench/matching` that
the labelled queries look for, then generated names, `bench/synthetic.py`), builds the
machine's index file (`registry.search_index.index_file`) from it without any database (the
rows `registry.search_index.name_index` would write, computed on every core), then starts a
fresh process that maps the file as a web worker does and answers the labelled queries
in-process. Prints: the file's size and build time, the memory the worker added (its own,
and the mapped pages the page cache holds once per machine), the time from the worker's
start to its first answer, search p50/p95, and hit@1/hit@5.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ambiguity
from bench.matching_quality import DEFAULT_DATA, load_businesses, load_queries, percentile
from bench.registry_scale import write_rows

Item = tuple[int, str, str | None, str | None]


def write_csv(path: Path, size: int, data: Path, seed: int) -> list[dict[str, object]]:
    """`size` businesses as `registry import-businesses` reads them; returns the labelled
    queries whose truth is inside, each with the line's business number (1-based), its
    labelled id and name."""
    labelled = load_businesses(data)[: max(1, size // 2)]
    number = {int(row["id"]): i for i, row in enumerate(labelled, start=1)}
    write_rows(path, labelled, size, seed)
    return [
        {
            "q": q.q,
            "city": q.city,
            "truth": number[q.truth],
            "labelled": q.truth,
            "name": labelled[number[q.truth] - 1]["name"],
        }
        for q in load_queries(data)
        if q.truth in number
    ]


def _names_of(path: Path, numbers: set[int]) -> dict[int, tuple[str, str]]:
    """The name and city of the CSV's businesses numbered `numbers` (one streaming pass)."""
    found = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            if number in numbers:
                found[number] = (row["name"], row["city"])
    return found


def unambiguous_line(
    path: Path,
    queries: list[dict[str, Any]],
    first: list[int | None],
    data: Path,
    labelled: int,
    tied: list[bool],
) -> str:
    """`bench.ambiguity`'s verdict on the worker's answers: hit@1 on the queries the
    generated businesses leave unambiguous, here and in the labelled directory alone
    (`tied`: per query, whether its hit won a tie by id, `bench.ambiguity.tied_first`)."""
    from bench.matching_quality import Query
    from bench.registry_scale import hits_at_labelled_size

    names = _names_of(path, {n for n in first if n is not None})
    outcomes = []
    for query, number, won_by_id in zip(queries, first, tied, strict=True):
        winner = names.get(number) if number is not None else None
        outcomes.append(
            ambiguity.Outcome(
                query["q"],
                query["city"],
                query["name"],
                hit=number == query["truth"],
                winner_name=winner[0] if winner else None,
                winner_city=winner[1] if winner else None,
                winner_generated=number is not None and number > labelled,
                tied=won_by_id,
            )
        )
    asked = [Query(q["q"], q["labelled"], (), q["city"]) for q in queries]
    return ambiguity.report(
        outcomes, hits_at_labelled_size(data, asked), len(load_businesses(data))
    )


def _items(path: Path) -> Iterator[list[Item]]:
    """The CSV's businesses in chunks, numbered from 1 in file order (a constant-memory read)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = enumerate(csv.DictReader(handle), start=1)
        from registry.search_index.name_index import PARALLEL_CHUNK

        while chunk := [
            (n, r["name"], r["city"] or None, r["state"] or None)
            for n, r in islice(rows, PARALLEL_CHUNK)
        ]:
            yield chunk


def _encoded(chunk: list[Item]) -> tuple[Any, Any, Any, set[tuple[str, str]]]:
    """What a chunk of businesses adds to the file, encoded in a pool process: its posting
    entries, word counts and names, and its (spelling, word) vocabulary entries."""
    from registry.search_index.file_encoding import (
        encode_frequencies,
        encode_names,
        encode_postings,
    )
    from registry.search_index.name_index import MAX_LENGTH, Rows

    rows = Rows()
    for number, name, city, _ in chunk:
        rows.add(number, [name], city)
    names = encode_names(
        (
            (number, ((number, 0, name, city, state, rows.normal.get(name)),))
            for number, name, city, state in chunk
        ),
        hidden=False,
    )
    entries = {(s, t) for s, t in rows.entries if len(s) <= MAX_LENGTH and len(t) <= MAX_LENGTH}
    return (
        encode_postings(rows.keys),
        encode_frequencies({t: n for t, n in rows.tokens.items() if len(t) <= MAX_LENGTH}),
        names,
        entries,
    )


def build(path: Path, directory: Path, workers: int | None = None) -> Path:
    """The index file of the CSV's businesses, as `index_file.write_from_tables` writes
    it from the index tables (no database: the rows are computed here, on every core, and
    streamed into the file's writer, so memory stays bounded at any size)."""
    from matching.keys import vocabulary_keys
    from registry.search_index import index_file
    from registry.search_index.file_writer import Writer
    from registry.search_index.name_index import MAX_LENGTH

    def fill(writer: Writer) -> None:
        known: set[tuple[str, str]] = set()
        with multiprocessing.get_context("fork").Pool(workers or os.cpu_count() or 1) as pool:
            for postings, frequencies, names, entries in pool.imap(_encoded, _items(path)):
                writer.spill(postings)
                writer.spill(frequencies)
                writer.spill(names)
                new = sorted(entries - known)
                known.update(new)
                writer.add_vocabulary(
                    (variant, spelling, token)
                    for spelling, token in new
                    for variant in vocabulary_keys(spelling)
                    if len(variant) <= MAX_LENGTH
                )

    return index_file.publish(directory, 1, 1, fill)


def _cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (the encoders)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> tuple[float, float]:
    """The peak resident memory of this process and of its largest child so far, in MB."""
    own = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    except OSError:
        pass
    return own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _memory() -> dict[str, float]:
    """This process's resident memory by kind (Linux), in MB."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            field, _, value = line.partition(":")
            if field in ("VmRSS", "RssAnon", "RssFile"):
                out[field] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return out


def worker(directory: Path, queries_path: Path, spawned: float) -> None:
    """A fresh web worker's share: maps the file, answers the queries; prints JSON."""
    from matching.search import search_name
    from registry.search_index.mapped_copy import MappedIndexCopy
    from registry.search_index.process_index import CopiedIndex

    queries = json.loads(queries_path.read_text())
    before = _memory()
    copy = MappedIndexCopy.open(directory)
    assert copy is not None, "no index file"
    search_name(queries[0]["q"], CopiedIndex(copy, None), city=queries[0]["city"], limit=5)
    ready = time.time() - spawned
    latencies, hit1, hit5, first, tied = [], 0, 0, [], []
    for query in queries:
        start = time.perf_counter()
        found = search_name(query["q"], CopiedIndex(copy, None), city=query["city"], limit=5)
        latencies.append((time.perf_counter() - start) * 1000)
        ids = [m.id for m in found]
        hit1 += ids[:1] == [query["truth"]]
        hit5 += query["truth"] in ids
        first.append(ids[0] if ids else None)
        tied.append(ambiguity.tied_first(ids, [m.score for m in found], query["truth"]))
    after = _memory()
    print(
        json.dumps(
            {
                "ready": ready,
                "own": after.get("RssAnon", 0) - before.get("RssAnon", 0),
                "mapped": after.get("RssFile", 0) - before.get("RssFile", 0),
                "p50": percentile(latencies, 50),
                "p95": percentile(latencies, 95),
                "hit1": hit1 / len(queries),
                "hit5": hit5 / len(queries),
                "queries": len(queries),
                "first": first,
                "tied": tied,
            }
        )
    )


def run(size: int, data: Path = DEFAULT_DATA, seed: int = 7, workdir: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        folder = Path(tmp)
        csv_path = folder / "directory.csv"
        print(f"\n== index file from a generated CSV: {size:,} businesses", flush=True)
        started = time.perf_counter()
        queries = write_csv(csv_path, size, data, seed)
        print(f"  CSV written in {time.perf_counter() - started:.1f} s", flush=True)
        (folder / "queries.json").write_text(json.dumps(queries))
        started, cpu = time.perf_counter(), _cpu_seconds()
        written = build(csv_path, folder / "index")
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        megabytes = sum(f.stat().st_size for f in written.iterdir()) / 1e6
        own, child = _peak_mb()
        print(
            f"  index file: {megabytes:,.0f} MB, built in {seconds:.1f} s "
            f"({cpu:,.0f} CPU seconds; peak memory: builder {own:,.0f} MB, "
            f"each encoding process {child:,.0f} MB)",
            flush=True,
        )
        out = subprocess.run(  # noqa: S603  (this interpreter, this module, our own arguments)
            [
                sys.executable,
                "-m",
                "bench.scale_file",
                "--worker",
                str(folder / "index"),
                str(folder / "queries.json"),
                repr(time.time()),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  worker: ready in {figures['ready']:.2f} s from its start, "
            f"{figures['own']:,.0f} MB of its own "
            f"(+{figures['mapped']:,.0f} MB of mapped file pages, held once per machine)\n"
            f"  search in-process ({figures['queries']} labelled queries): "
            f"p50 {figures['p50']:.2f} ms  p95 {figures['p95']:.2f} ms  "
            f"hit@1 {figures['hit1']:.4f}  hit@5 {figures['hit5']:.4f}",
            flush=True,
        )
        labelled = len(load_businesses(data)[: max(1, size // 2)])
        print(
            unambiguous_line(csv_path, queries, figures["first"], data, labelled, figures["tied"]),
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="scratch space (default: the system's)")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(Path(args.worker[0]), Path(args.worker[1]), float(args.worker[2]))
        return 0
    run(args.scale, args.data, args.seed, args.workdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
