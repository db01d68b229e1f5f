"""Where an API search's time goes end to end, through Flask, in process.

    python -m bench.http_profile [--size N] [--workdir DIR] [--database-url URL] [--profile]

The registry of `bench.search_profile` (N businesses in SQLite with its index file, built
once per size and work directory), or the database at `--database-url` (e.g. one seeded
by `bench.load`, left in place), served by the app as `make serve` runs it
(`REGISTRY_ENV=production`, rate limits kept in Redis at `--redis-url`, the per-key quota
far above what is sent), with one new member and API key. Times the 2,000 labelled
queries as `GET /api/v1/businesses/search` through Flask's test client, prints p50/p95
per request, and, with `--profile`, cProfile's top functions of the same requests: what
`bench.load`'s search figure is made of, without the sockets and gunicorn around it.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import REDIS_URL, SEARCH_QUOTA_PER_MINUTE
from bench.matching_quality import load_queries, percentile
from bench.search_profile import add_registry_options, prepare
from bench.synthetic import generate
from portal import create_app
from registry.actors import SYSTEM, Actor
from registry.db import make_engine, make_sessionmaker
from registry.members import accounts, api_keys
from registry.settings import Settings


def new_key(url: str) -> str:
    """A verified member's fresh API key in the database at `url`."""
    engine = make_engine(url)
    tag = secrets.token_hex(4)
    business = next(b for b in generate(30, seed=secrets.randbits(30), first_id=1) if b.gstin)
    with make_sessionmaker(engine).begin() as session:
        application = accounts.Application(
            business_name=business.name,
            gstin=business.gstin or "",
            email=f"profile-{tag}@bench.example",
            password=secrets.token_urlsafe(16),
            industry="Textiles",
            msme_category="micro",
        )
        user = accounts.create_active(session, application, SYSTEM)
        key = api_keys.create(session, user, "http profile", Actor.of(user))[1]
    engine.dispose()
    return key


def served_as_in_production(redis_url: str, instance: Path) -> dict[str, str]:
    """The settings of an app in process as `make serve` serves it (`REGISTRY_ENV=
    production`, the per-key quota kept in Redis at `redis_url` and far above what is
    sent, a Stripe key that is never called), its instance folder `instance`; the caller
    adds `DATABASE_URL` and the index's directory."""
    return {
        "REGISTRY_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "STRIPE_SECRET_KEY": "sk_test_bench_in_process_no_gateway_calls",
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(32),
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "REDIS_URL": redis_url,
        "API_SEARCH_PER_MINUTE": str(SEARCH_QUOTA_PER_MINUTE),
        "REGISTRY_INSTANCE": str(instance.resolve()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_registry_options(parser)
    parser.add_argument("--database-url", help="an existing registry (no index file)")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the queries")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    env = served_as_in_production(args.redis_url, args.workdir / "instance")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        url, directory = prepare(args.workdir, args.size, args.data, args.seed)
        env |= {"DATABASE_URL": url, "SEARCH_INDEX_DIR": str(directory)}
    key = new_key(env["DATABASE_URL"])
    app = create_app({"REGISTRY_SETTINGS": Settings.from_env(env)})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    paths = [
        "/api/v1/businesses/search?" + urlencode({"q": q.q, **({"city": q.city} if q.city else {})})
        for q in load_queries(args.data)
    ] * args.rounds

    def one(path: str) -> float:
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(True)}")
        return elapsed

    for path in paths[:200]:  # warm-up: the index copy, the caches, the connections
        one(path)
    timings = [one(path) for path in paths]
    where = "the index file" if "SEARCH_INDEX_DIR" in env else "the worker's copy"
    health = []
    for _ in range(len(paths)):
        started = time.perf_counter()
        client.get("/healthz")
        health.append((time.perf_counter() - started) * 1000)
    print(f"== {len(paths):,} API searches through Flask, from {where}")
    p50, p95 = percentile(timings, 50), percentile(timings, 95)
    print(f"  per request: p50 {p50:.2f} ms  p95 {p95:.2f} ms")
    mean, health_mean = sum(timings) / len(timings), sum(health) / len(health)
    print(
        f"  /healthz per request: p50 {percentile(health, 50):.2f} ms; mean search "
        f"{mean:.2f} ms against {health_mean:.2f} ms: {health_mean / mean:.2f} of its rate"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [one(path) for path in paths])
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
