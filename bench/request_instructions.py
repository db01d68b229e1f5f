"""An API search's cost in the web process counted in machine instructions, which a shared
machine's noise does not move: the matcher and everything around it (Flask, the key's and
the shown businesses' statements, the quota's round trip, the answer).

    python -m bench.request_instructions [--size N] [--queries 200] [--root DIR]
                                         [--database-url URL --index-dir DIR]

Serves `GET /api/v1/businesses/search` for the dev set's first `--queries` queries
through Flask's test client in processes under `valgrind --tool=callgrind`, after a
warm-up on other queries: with the warm-up only, with each query asked once, and twice.
The differences, per request, are what a request costs the web process the first time it
sees the query (most of a worker's searches) and again. The registry is
`bench.search_profile`'s (N businesses in SQLite with its index file, built once per size),
or with `--database-url` a PostgreSQL registry (e.g. one `bench.load --keep` left) with
its index file at `--index-dir`: then what the database server does is not counted, only
the web process's side of it. The app is made as `make serve` makes it
(`REGISTRY_ENV=production`, the per-key quota in Redis at `--redis-url`, far above what is
sent), with a key made beforehand, outside the count. `--root` counts another checkout's
code (its compiled modules built) on the same registry, key and queries.

`bench.load`'s figure moves by a third with the machine alone; this count moves by well
under one percent between runs (the request id and times differ, and what the database
finds does not), so two versions of the request can be told apart one after the other.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.http_profile import new_key, served_as_in_production
from bench.load import REDIS_URL
from bench.matcher_instructions import (
    add_count_options,
    counted,
    first_and_again,
    ready_to_count,
    report,
)
from bench.search_profile import prepare

#: Requests made before the count's, in both processes: the connections, the index file's
#: mapping and the caches a busy worker has (the dev set's last queries, not measured).
WARM_UP = 50
#: What the child runs: the app from the settings given as JSON, the warm-up, then the
#: first `count` queries `passes` times (0: the warm-up only).
CHILD = """
import json
import sys
from pathlib import Path
from urllib.parse import urlencode
from bench.matching_quality import load_queries
from portal import create_app
from registry.settings import Settings

env, key, data = json.loads(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
count, passes, warm = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
client = create_app({"REGISTRY_SETTINGS": Settings.from_env(env)}).test_client()
headers = {"Authorization": f"Bearer " + key}
paths = [
    "/api/v1/businesses/search?" + urlencode({"q": q.q, **({"city": q.city} if q.city else {})})
    for q in load_queries(data)
]
for path in paths[-warm:] + [path for _ in range(passes) for path in paths[:count]]:
    answer = client.get(path, headers=headers)
    if answer.status_code != 200:
        raise SystemExit(f"{path}: {answer.status_code} {answer.get_data(True)[:300]}")
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_count_options(parser, queries=200)
    parser.add_argument("--database-url", help="a PostgreSQL registry (with --index-dir)")
    parser.add_argument("--index-dir", type=Path, help="its index file's directory")
    parser.add_argument("--redis-url", default=REDIS_URL)
    args = parser.parse_args(argv)
    valgrind = ready_to_count(parser, args)
    if valgrind is None:
        return 2
    if (args.database_url is None) != (args.index_dir is None):
        parser.error("--database-url and --index-dir go together")
    if args.database_url:
        url, directory, where = args.database_url, args.index_dir, "the database given"
    else:
        url, directory = prepare(args.workdir, args.size, args.data, args.seed)
        where = f"{args.size:,} businesses in SQLite"
    root = args.root.resolve()
    with tempfile.TemporaryDirectory(prefix="request-instructions-") as instance:
        env = served_as_in_production(args.redis_url, Path(instance)) | {
            "DATABASE_URL": url,
            "SEARCH_INDEX_DIR": str(Path(directory).resolve()),
        }
        key = new_key(url)
        common = [json.dumps(env), key, str(args.data.resolve())]
        first, again = first_and_again(
            lambda passes: counted(
                valgrind, root, CHILD, [*common, str(args.queries), str(passes), str(WARM_UP)]
            ),
            args.queries,
        )
    print(f"== an API search in instructions, {where}, code of {root}")
    print(
        report(first, again, f"{args.queries:,} dev-set queries after {WARM_UP} others")
        + " (a request, in the web process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
