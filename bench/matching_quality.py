"""Name matching benchmark: search hit@k and latency, duplicate precision/recall, scale.

    python -m bench.matching_quality [--data DIR] [--scale N] [--seed S]

Reads the labelled set in `../shared/bench/matching` (relative to the project root) unless
`--data` says otherwise. With `--scale N` it also grows the directory to N businesses with
synthetic ones (the labelled ones stay inside) and reports search latency and hit@1 at N,
the time of a brute-force `rapidfuzz.process.extract` over all names for the same queries,
and the time to find duplicates among the N businesses.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process, utils

from bench import ambiguity
from bench.synthetic import generate
from matching.dedupe import DedupeRecord, find_duplicates
from matching.index import InMemoryIndex

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "matching"


@dataclass(frozen=True, slots=True)
class Query:
    q: str
    truth: int
    kinds: tuple[str, ...]
    city: str | None


def load_businesses(data: Path) -> list[dict[str, str]]:
    with (data / "businesses.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_queries(data: Path) -> list[Query]:
    out = []
    with (data / "queries.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out.append(Query(row["q"], int(row["truth"]), tuple(row["kinds"]), row.get("city")))
    return out


def load_records(data: Path) -> list[dict[str, str]]:
    with (data / "records.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def build_index(rows: Iterable[tuple[int, str, str | None, str | None]]) -> InMemoryIndex:
    index = InMemoryIndex()
    for id_, name, city, state in rows:
        index.add(id_, name, city, state)
    return index


def run_queries(index: InMemoryIndex, queries: list[Query]) -> tuple[list[list[int]], list[float]]:
    results, latencies = [], []
    for query in queries:
        start = time.perf_counter()
        found = index.search(query.q, city=query.city, limit=5)
        latencies.append((time.perf_counter() - start) * 1000)
        results.append([id_ for id_, _ in found])
    return results, latencies


def report_search(
    queries: list[Query], results: list[list[int]], latencies: list[float], by_kind: bool = True
) -> float:
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    hit1 = hit5 = 0
    for query, ids in zip(queries, results, strict=True):
        one, five = ids[:1] == [query.truth], query.truth in ids
        hit1 += one
        hit5 += five
        for kind in set(query.kinds):
            per_kind[kind][0] += 1
            per_kind[kind][1] += one
            per_kind[kind][2] += five
    n = len(queries)
    print(f"  queries {n}: hit@1 {hit1 / n:.4f}  hit@5 {hit5 / n:.4f}")
    print(
        f"  latency per query: p50 {percentile(latencies, 50):.2f} ms  "
        f"p95 {percentile(latencies, 95):.2f} ms"
    )
    if by_kind:
        print("  by kind (a query counts under each of its kinds):")
        for kind, (count, ones, fives) in sorted(per_kind.items()):
            print(
                f"    {kind:<16} n={count:<5} hit@1 {ones / count:.4f}  hit@5 {fives / count:.4f}"
            )
    return hit1 / n


def report_duplicates(rows: list[dict[str, str]]) -> None:
    records = [
        DedupeRecord(
            int(r["record_id"]),
            r["name"],
            r["gstin"] or None,
            r["pan"] or None,
            r["city"] or None,
            r["state"] or None,
        )
        for r in rows
    ]
    start = time.perf_counter()
    proposed = {(min(p.a, p.b), max(p.a, p.b)) for p in find_duplicates(records)}
    elapsed = time.perf_counter() - start
    by_gstin: dict[str, list[int]] = defaultdict(list)
    by_cluster: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r["gstin"]:
            by_gstin[r["gstin"].strip().upper()].append(int(r["record_id"]))
        by_cluster[r["cluster"]].append(int(r["record_id"]))
    for ids in by_gstin.values():
        proposed |= {(min(a, b), max(a, b)) for a, b in combinations(ids, 2)}
    truth = {(min(a, b), max(a, b)) for ids in by_cluster.values() for a, b in combinations(ids, 2)}
    hits = len(proposed & truth)
    precision = hits / len(proposed) if proposed else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    print(
        f"  records {len(rows)}, true pairs {len(truth)}, proposed {len(proposed)} "
        f"({elapsed:.2f} s)"
    )
    print(f"  pairwise precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")


def outcomes_at_scale(
    queries: list[Query],
    results: list[list[int]],
    rows: list[tuple[int, str, str | None, str | None]],
    labelled: set[int],
) -> list[ambiguity.Outcome]:
    """Each query's outcome for `bench.ambiguity`: what came first when the truth did not."""
    by_id = {id_: (name, city) for id_, name, city, _ in rows}
    outcomes = []
    for query, ids in zip(queries, results, strict=True):
        winner = by_id.get(ids[0]) if ids else None
        outcomes.append(
            ambiguity.Outcome(
                query.q,
                query.city,
                by_id[query.truth][0],
                hit=ids[:1] == [query.truth],
                winner_name=winner[0] if winner else None,
                winner_city=winner[1] if winner else None,
                winner_generated=bool(ids) and ids[0] not in labelled,
            )
        )
    return outcomes


def run_scale(
    size: int,
    seed: int,
    businesses: list[dict[str, str]],
    queries: list[Query],
    brute_sample: int,
    small_results: list[list[int]],
) -> None:
    extra = max(0, size - len(businesses))
    rows: list[tuple[int, str, str | None, str | None]] = [
        (int(b["id"]), b["name"], b["city"] or None, b["state"] or None) for b in businesses
    ]
    synthetic = list(generate(extra, seed=seed))
    rows += [(b.id, b.name, b.city, b.state) for b in synthetic]
    print(f"\n== scale: {len(rows):,} businesses ({extra:,} synthetic, seed {seed})")
    start = time.perf_counter()
    index = build_index(rows)
    print(
        f"  index built in {time.perf_counter() - start:.1f} s: {index.key_count():,} name-key "
        f"rows, {index.vocabulary_count():,} vocabulary rows"
    )
    results, latencies = run_queries(index, queries)
    report_search(queries, results, latencies, by_kind=False)
    labelled = {int(b["id"]) for b in businesses}
    small_hits = [ids[:1] == [q.truth] for q, ids in zip(queries, small_results, strict=True)]
    print(
        ambiguity.report(
            outcomes_at_scale(queries, results, rows, labelled), small_hits, len(businesses)
        )
    )

    sample = queries[:: max(1, len(queries) // brute_sample)][:brute_sample]
    names = [name for _, name, _, _ in rows]
    choices = [utils.default_process(n) for n in names]
    start = time.perf_counter()
    for query in sample:
        process.extract(
            utils.default_process(query.q), choices, scorer=fuzz.WRatio, limit=5, processor=None
        )
    brute = (time.perf_counter() - start) * 1000 / len(sample)
    ours = [lat for q, lat in zip(queries, latencies, strict=True) if q in set(sample)]
    mean_ours = statistics.fmean(ours)
    print(
        f"  brute force rapidfuzz.process.extract(WRatio) over all names: {brute:.1f} ms/query "
        f"({len(sample)} queries); ours {mean_ours:.2f} ms/query: {brute / mean_ours:.0f}x "
        f"faster (vs our p95: {brute / percentile(latencies, 95):.0f}x)"
    )

    records = [DedupeRecord(id_, name, None, None, city, state) for id_, name, city, state in rows]
    by_id = {b.id: b for b in synthetic}
    records = [
        DedupeRecord(r.id, r.name, by_id[r.id].gstin, by_id[r.id].pan, r.city, r.state)
        if r.id in by_id
        else r
        for r in records
    ]
    start = time.perf_counter()
    pairs = find_duplicates(records)
    print(
        f"  duplicates among {len(records):,} businesses: {len(pairs):,} pairs proposed in "
        f"{time.perf_counter() - start:.1f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--scale", type=int, default=0, help="grow the directory to N names")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--brute-sample", type=int, default=40, help="queries timed for the brute-force reference"
    )
    args = parser.parse_args(argv)
    businesses = load_businesses(args.data)
    queries = load_queries(args.data)

    print(f"== search: {len(businesses):,} businesses ({args.data})")
    start = time.perf_counter()
    index = build_index(
        (int(b["id"]), b["name"], b["city"] or None, b["state"] or None) for b in businesses
    )
    print(f"  index built in {time.perf_counter() - start:.1f} s")
    results, latencies = run_queries(index, queries)
    report_search(queries, results, latencies)

    print("\n== duplicates")
    report_duplicates(load_records(args.data))

    if args.scale:
        run_scale(args.scale, args.seed, businesses, queries, args.brute_sample, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
