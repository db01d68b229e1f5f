"""Load on the production stack: `make serve` on PostgreSQL with Redis, under many clients.

    python -m bench.load [--businesses 100000] [--complaints 20000] [--seconds 10]

Creates a PostgreSQL database of its own (`registry_load_<pid>`), migrates it and fills it
through the app's own code (`bench/load_seed.py`: 100,000 businesses, 20,000 complaints
from verified members, paid report orders, API keys), starts `make serve` on a free port
(gunicorn with `WEB_CONCURRENCY` workers plus `registry worker`; `REGISTRY_ENV=production`,
rate limits on and kept in Redis, the per-key search quota set far above what the
clients send so none is refused), waits for `/readyz`, then measures each endpoint for a
fixed time with a few concurrent keep-alive clients (`bench/load_client.py`):
`/healthz`, name search (seeded names with typos and variants), the same route asked for a
GSTIN (the search's stack without the name matcher), reading a paid report, and filing a
complaint (a new invoice each time). Prints requests per second, p50/p95 and
errors of each, and its throughput as a share of `/healthz` measured on the same server in
the same run (before and after the others; their mean), with the share of the name
searches that repeated one of the run's 5,000 terms (a worker answers a term it answered
before from its kept answers), then what one answer of each cost
the machine's CPU and where: web workers, worker, PostgreSQL, Redis, client
(`bench/process_cpu.py`). Stops the servers and drops the
database at the end, also on failure (`--keep` leaves it, and says where).

    python -m bench.load --database-url URL [--rounds 3]

measures again against a database an earlier run kept, without seeding it (a new key for
each of its members; `load_seed.reused`): a minute or two instead of twelve, so that
runs of two versions of the code can alternate. `--rounds N` measures every endpoint N
times in turn on the same server, each round with its own table (the figures drift within
a run on a shared machine: one round is one sample).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

from bench import load_seed, process_cpu
from bench.load_client import MakeRequest, Phase, Request, measure
from bench.synthetic import Business as Synthetic

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SEARCH_GOAL = 0.5
#: The per-key search quota the servers run with: far above what the clients can send, so
#: every search is answered with results (the limiter still counts each one in Redis, as
#: in production) and the figure measures search work, not `429` refusals, which take
#: a fraction of a search's time and do not count as answers.
SEARCH_QUOTA_PER_MINUTE = 10_000_000
#: The width of the phases' names in the tables printed.
LABEL = 38


# -- what the clients send ---------------------------------------------------------------

VARIANTS = (
    ("Private Limited", "Pvt Ltd"),
    ("Limited", "Ltd"),
    ("Shree ", "Shri "),
    ("Shri ", "Sri "),
    (" & ", " and "),
    ("Enterprises", "Enterprise"),
)


def typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard in a word long enough to survive it."""
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    match rng.randrange(3):
        case 0:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        case 1:
            return word[:i] + word[i + 1 :]
        case _:
            return word[:i] + word[i] + word[i:]


def search_term(rng: random.Random, name: str) -> str:
    """How a trader types a name: a typo, a short legal form, another spelling, case."""
    roll = rng.random()
    if roll < 0.45:
        words = name.split()
        at = rng.randrange(len(words))
        words[at] = typo(rng, words[at])
        name = " ".join(words)
    elif roll < 0.75:
        for old, new in VARIANTS:
            if old in name:
                name = name.replace(old, new)
                break
        else:
            name = "M/s " + name
    if rng.random() < 0.3:
        name = name.lower()
    return name


class SearchRequests:
    """Name searches for 5,000 terms made from the directory's names (`search_term`), each
    request one of them at random, the same terms all run long: a web worker keeps its
    recent answers (`IndexCopy.answer`), so a term it answered before costs it less.
    `repeated()` tells how many of the searches sent since it was last asked repeated a
    term sent before in this run (whichever worker took it: with two workers, about half
    of those found the answer kept where they landed)."""

    def __init__(self, businesses: list[Synthetic], keys: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.keys = keys
        self.terms = [
            (search_term(rng, b.name), b.city if rng.random() < 0.2 else None)
            for b in rng.sample(businesses, k=min(len(businesses), 5000))
        ]
        self.asked: set[int] = set()
        self.sent = self.again = 0

    def __call__(self) -> Request:
        at = self.rng.randrange(len(self.terms))
        self.sent += 1
        if at in self.asked:
            self.again += 1
        self.asked.add(at)
        q, city = self.terms[at]
        query = {"q": q, **({"city": city} if city else {})}
        return (
            "GET",
            "/api/v1/businesses/search?" + urlencode(query),
            None,
            self.rng.choice(self.keys),
        )

    def repeated(self) -> float:
        """The share of the searches sent since the last call that repeated a term."""
        share = self.again / self.sent if self.sent else 0.0
        self.sent = self.again = 0
        return share


def gstin_search_requests(
    businesses: list[Synthetic], keys: list[str], rng: random.Random
) -> MakeRequest:
    """The same route asked for a GSTIN: the key, the limiter, the statements and the
    answer of a search, without the name matcher (what a search costs the stack alone)."""
    gstins = [b.gstin for b in businesses if b.gstin][:5000]

    def one() -> Request:
        query = urlencode({"q": rng.choice(gstins)})
        return "GET", "/api/v1/businesses/search?" + query, None, rng.choice(keys)

    return one


def report_requests(paid: list[tuple[str, int]], rng: random.Random) -> MakeRequest:
    def one() -> Request:
        key, business_id = rng.choice(paid)
        return "GET", f"/api/v1/reports/{business_id}", None, key

    return one


def filing_requests(
    businesses: list[tuple[int, Synthetic]], keys: list[str], rng: random.Random
) -> MakeRequest:
    """A new complaint each time: a debtor from the directory (by GSTIN when it has one),
    invoice numbers never used before, one PDF as evidence."""
    evidence = [
        {
            "filename": "invoice.pdf",
            "content_base64": base64.b64encode(load_seed.EVIDENCE_PDF).decode(),
        }
    ]
    today = date.today()
    counter = iter(range(1, 1 << 62))

    def one() -> Request:
        business_id, b = rng.choice(businesses)
        n = next(counter)
        invoice = load_seed.invoice_body(rng, f"LOAD/{os.getpid()}/{n}", today)
        debtor = load_seed.debtor_of(business_id, b, f"accounts{business_id}@debtor.example")
        body = {
            "debtor": {k: v for k, v in vars(debtor).items() if v not in (None, False, "")},
            "invoices": [
                {
                    "number": invoice.number,
                    "invoice_date": invoice.invoice_date.isoformat(),
                    "due_date": invoice.due_date.isoformat(),
                    "amount_paise": invoice.amount_paise,
                    "paid_paise": invoice.paid_paise,
                }
            ],
            "evidence": evidence,
        }
        return "POST", "/api/v1/complaints", body, rng.choice(keys)

    return one


def health_requests() -> MakeRequest:
    return lambda: ("GET", "/healthz", None, None)


# -- the servers -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, bytes]:
    """The status and body of a GET (status 0 when the server did not answer)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (local server)
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except OSError:
        return 0, b""


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, log: IO[bytes]) -> Iterator[tuple[str, int]]:
    """`make serve` (gunicorn plus the worker) in a process group of its own, with its
    address and that group; stopped with the group when the block ends.
    `-o .venv/.installed`: never reinstall mid-benchmark."""
    server = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "serve"],  # noqa: S607
        cwd=ROOT,
        env={**os.environ, **env, "PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _get(base + "/readyz")[0] != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make serve did not become ready (exit {server.poll()})")
            time.sleep(0.25)
        _wait_for_index_copies(base, server)
        yield base, server.pid
    finally:
        _stop(server)


def _index_copy(url: str) -> str:
    status, body = _get(url)
    try:
        return str(json.loads(body).get("index_copy", "off")) if status == 200 else "unknown"
    except ValueError:
        return "unknown"


def _wait_for_index_copies(base: str, server: subprocess.Popen[bytes]) -> None:
    """Until every web worker has loaded its copy of the name index (searches would read
    the tables meanwhile): `/readyz` answers from whichever worker takes the request, so
    twenty answers in a row saying "ready" (or "off") stand for all of them."""
    deadline = time.monotonic() + 600
    started = time.monotonic()
    in_a_row = 0
    while in_a_row < 20:
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the web workers did not load their index copies")
        if _index_copy(base + "/readyz") in {"ready", "off"}:
            in_a_row += 1
        else:
            in_a_row = 0
            time.sleep(0.5)
    print(f"  index copies loaded in every web worker ({time.monotonic() - started:.0f} s)")


def _stop(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    # gunicorn and the worker share make's process group; wait until all of it is gone.
    for _ in range(100):
        try:
            os.killpg(server.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)


# -- the run -----------------------------------------------------------------------------


def table(phases: list[Phase], health: float) -> str:
    lines = [
        f"{'':{LABEL}s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'errors':>7s} "
        f"{'vs /healthz':>11s} {'client CPU':>10s}"
    ]
    for phase in phases:
        lines.append(
            f"{phase.name:{LABEL}s} {phase.throughput:8.1f} {phase.percentile(0.5):8.1f} "
            f"{phase.percentile(0.95):8.1f} {phase.errors:7d} "
            f"{phase.throughput / health if health else 0:11.2f} "
            f"{phase.client_cpu / phase.seconds:10.0%}"
        )
    for phase in phases:
        odd = {s: n for s, n in phase.statuses.items() if s != phase.expected}
        if odd or phase.failures:
            lines.append(f"  {phase.name}: statuses {odd}, connection failures {phase.failures}")
    if all(phase.server_cpu and phase.ok for phase in phases):
        lines.append(cpu_table(phases))
    return "\n".join(lines)


def cpu_table(phases: list[Phase]) -> str:
    """What one answer cost the machine's CPU, in ms, by part: the throughput's ratios are
    the inverse ratios of these totals (the cores are shared by all of them)."""
    parts = [*process_cpu.PARTS, "client"]
    lines = [
        f"{'CPU per answer, ms:':{LABEL}s} "
        + " ".join(f"{p:>8s}" for p in parts)
        + f" {'in all':>8s}"
    ]
    for phase in phases:
        spent = {**phase.server_cpu, "client": phase.client_cpu}
        per = [spent.get(p, 0.0) * 1000 / phase.ok for p in parts]
        lines.append(
            f"{phase.name:{LABEL}s} " + " ".join(f"{v:8.2f}" for v in per) + f" {sum(per):8.2f}"
        )
    return "\n".join(lines)


def measured(
    group: int,
    label: str,
    base: str,
    make: MakeRequest,
    expected: int,
    seconds: float,
    clients: int,
) -> Phase:
    """`measure`, with the CPU the server's parts spent meanwhile (`Phase.server_cpu`)."""
    before = process_cpu.cpu_seconds(group)
    phase = measure(label, base, make, expected=expected, seconds=seconds, clients=clients)
    phase.server_cpu = process_cpu.spent_between(before, process_cpu.cpu_seconds(group))
    return phase


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    name = f"registry_load_{os.getpid()}"
    workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
    clients = args.clients or 2 * workers
    what = (
        "a kept database"
        if args.database_url
        else f"{args.businesses:,} businesses, {args.complaints:,} complaints"
    )
    print(
        f"\n== load: {what}, `make serve` with {workers} web workers, {clients} clients, "
        f"{args.seconds:g} s each",
        flush=True,
    )

    def say(line: str) -> None:
        print(line, flush=True)

    with tempfile.TemporaryDirectory(prefix="registry-load-") as tmp:
        workdir = Path(tmp)
        url = args.database_url or load_seed.create_database(PG_ADMIN_URL, name)
        log_path = workdir / "serve.log"
        try:
            port = free_port()
            settings, env = load_seed.production_settings(
                workdir / "instance", url, f"http://127.0.0.1:{port}", args.redis_url
            )
            env["WEB_CONCURRENCY"] = str(workers)
            env["API_SEARCH_PER_MINUTE"] = str(SEARCH_QUOTA_PER_MINUTE)
            if args.database_url:
                seeded = load_seed.reused(url, say)
            else:
                seeded = load_seed.seed(
                    url,
                    settings,
                    workdir,
                    businesses=args.businesses,
                    complaints_wanted=args.complaints,
                    members_wanted=args.members,
                    paid_orders=args.orders,
                    rng=rng,
                    processes=args.processes,
                    say=say,
                )
                print(
                    f"  seeded in {seeded.timings['total']:.0f} s; {len(seeded.paid_reports)} "
                    f"paid report orders, {len(seeded.keys)} members' API keys",
                    flush=True,
                )
            print(
                "  servers: REGISTRY_ENV=production, rate limits on and kept in Redis "
                f"({args.redis_url}; searches limited to {SEARCH_QUOTA_PER_MINUTE:,} a minute per "
                "key so the limit never binds; the other routes measured have no limit), "
                "mail to .eml files, a Stripe key that is never called (the orders were paid "
                "on the test gateway while seeding)",
                flush=True,
            )
            directory = [b for _, b in seeded.businesses]
            names = SearchRequests(directory, seeded.keys, rng)
            makers = {
                "GET /healthz": (health_requests(), 200),
                "GET /api/v1/businesses/search?q=": (names, 200),
                "GET /api/v1/businesses/search?q=GSTIN": (
                    gstin_search_requests(directory, seeded.keys, rng),
                    200,
                ),
                "GET /api/v1/reports/{id} (paid)": (report_requests(seeded.paid_reports, rng), 200),
                "POST /api/v1/complaints": (
                    filing_requests(seeded.businesses, seeded.keys, rng),
                    201,
                ),
            }
            errors = 0
            with log_path.open("wb") as log, serving(env, port, log) as (base, group):
                for make, expected in makers.values():  # warm every worker up, unrecorded
                    measure("warm-up", base, make, expected=expected, seconds=1.5, clients=clients)
                names.repeated()
                for _ in range(args.rounds):
                    phases = [
                        measured(group, label, base, make, expected, args.seconds, clients)
                        for label, (make, expected) in makers.items()
                    ]
                    phases.append(
                        measured(
                            group,
                            "GET /healthz (again, at the end)",
                            base,
                            health_requests(),
                            200,
                            args.seconds,
                            clients,
                        )
                    )
                    report(phases, names.repeated())
                    errors += sum(phase.errors for phase in phases)
        except BaseException:
            if log_path.exists():
                print("  last lines of make serve:", file=sys.stderr)
                print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            if args.database_url:
                pass  # not this run's to drop
            elif args.keep:
                print(f"  kept the database: {url}", flush=True)
            else:
                load_seed.drop_database(PG_ADMIN_URL, name)
    return 1 if errors else 0


def report(phases: list[Phase], repeated: float) -> None:
    """One round's table, and the search's throughput as a share of `/healthz`'s (with
    the share of its searches that repeated a term asked before in the run)."""
    health = (phases[0].throughput + phases[-1].throughput) / 2
    print(table(phases, health))
    search = phases[1].throughput / health if health else 0.0
    verdict = "met" if search >= SEARCH_GOAL else "missed"
    print(
        f"  search / healthz {search:.2f} (goal >= {SEARCH_GOAL}: {verdict}); "
        f"{repeated:.0%} of the name searches repeated a term asked before in this run",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--orders", type=int, default=200, help="paid report orders")
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint")
    parser.add_argument("--clients", type=int, default=0, help="default 2 x WEB_CONCURRENCY")
    parser.add_argument("--processes", type=int, default=2, help="seeding processes")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the database in place (for --database-url, or bench.http_profile's)",
    )
    parser.add_argument(
        "--database-url", help="measure again on a database a run kept (no seeding)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="measurements of each endpoint")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
