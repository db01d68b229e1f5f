"""The load benchmark's data: a fresh PostgreSQL database filled through the app's own code.

Businesses go in through `registry.directory.import_businesses` (what `registry
import-businesses` runs); members through `registry.members.accounts.create_active` with
keys from `registry.members.api_keys`;
complaints through `registry.complaints.filing.file_complaint` (evidence file, invoices, search
aliases, audit rows, the notice in the outbox), then, for most of them, the moves the
worker or the member would make later (`listed` after the notice period, `settled`);
report orders through `registry.payments.orders.start_order` and the local test gateway's signed
events fed to the webhook's own `receive()`. So the rows are the rows the app writes.
"""

from __future__ import annotations

import csv
import multiprocessing
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, make_url, select, text
from sqlalchemy.orm import Session

from bench.synthetic import Business as Synthetic
from bench.synthetic import generate
from portal.webhooks import receive
from registry import migrate, outbox
from registry.actors import SYSTEM, Actor
from registry.complaints import filing
from registry.complaints import life as complaints
from registry.db import make_engine, make_sessionmaker
from registry.directory import debtors, import_businesses
from registry.mailer import mailer_from_url
from registry.members import accounts, api_keys
from registry.models import Business, BusinessGstin, Complaint, ComplaintStatus, User
from registry.models.payments import OrderStatus, ReportOrder
from registry.payments import orders
from registry.payments.gateways import SESSION_PLACEHOLDER, TestGateway
from registry.settings import Settings

#: The smallest PDF `filetype` recognises: evidence is judged by its content.
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PASSWORD = "load-bench-password-2026"  # noqa: S105  (throwaway members of a throwaway database)
INDUSTRIES = ("Textiles", "Steel", "Agro", "Pharma", "Electronics", "Building materials")
MSME = ("micro", "small", "medium", "none")
COMMIT_EVERY = 250
#: Shares of the seeded complaints listed (notice period over) and settled; the rest
#: are still in notice.
LISTED, SETTLED = 0.6, 0.1

Say = Callable[[str], None]


@dataclass
class Seeded:
    """What the load run needs to know about the data it made."""

    keys: list[str] = field(default_factory=list)
    businesses: list[tuple[int, Synthetic]] = field(default_factory=list)
    paid_reports: list[tuple[str, int]] = field(default_factory=list)
    complaints: int = 0
    timings: dict[str, float] = field(default_factory=dict)


# -- the database ----------------------------------------------------------------------


def create_database(admin_url: str, name: str) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def seeding_engine(url: str) -> Engine:
    """The app's engine, with commits that do not wait for the disk (the rows are the
    same; only their durability during seeding is traded for speed)."""
    return make_engine(url, connect_args={"options": "-c synchronous_commit=off"})


# -- the seeding steps -----------------------------------------------------------------


def seed(
    url: str,
    settings: Settings,
    workdir: Path,
    *,
    businesses: int,
    complaints_wanted: int,
    members_wanted: int,
    paid_orders: int,
    rng: random.Random,
    processes: int,
    say: Say,
) -> Seeded:
    """Migrate `url` and fill it; `settings` is what the servers will run with."""
    out = Seeded()
    started = time.perf_counter()
    migrate.upgrade(url)
    engine = seeding_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        directory = list(generate(businesses, seed=rng.randrange(1 << 30)))
        csv_path = workdir / "directory.csv"
        _write_csv(csv_path, directory)
        with sessions.begin() as session:
            report = import_businesses.import_file(session, csv_path, SYSTEM)
        ids = {o.line: o.business_id for o in report.outcomes if o.business_id}
        out.businesses = [(ids[i + 2], b) for i, b in enumerate(directory) if i + 2 in ids]
        out.timings["import"] = time.perf_counter() - started
        say(f"  imported {len(out.businesses):,} businesses in {out.timings['import']:.1f} s")

        mark = time.perf_counter()
        users = _members(sessions, members_wanted, rng, out)
        out.timings["members"] = time.perf_counter() - mark

        mark = time.perf_counter()
        targets = _file_complaints(url, settings, users, out, complaints_wanted, rng, processes)
        out.timings["complaints"] = time.perf_counter() - mark
        say(
            f"  filed {out.complaints:,} complaints in {out.timings['complaints']:.1f} s "
            f"(through filing.file_complaint, {processes} processes; of which "
            f"{out.timings['outbox']:.0f} s sending their notices as the worker does)"
        )

        mark = time.perf_counter()
        _pay_reports(sessions, settings, users, out, targets, paid_orders, rng)
        out.timings["orders"] = time.perf_counter() - mark
        # What `registry import-businesses` ends with, for the whole database: the planner
        # sees the counts, and key look-ups are answered from the index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
    finally:
        engine.dispose()
    out.timings["total"] = time.perf_counter() - started
    return out


#: How the seeded members' logins are spelled (`_members`): what `reused` finds them by.
MEMBER_EMAIL = "member{}@load-bench.example"


def reused(url: str, say: Say) -> Seeded:
    """What a run needs of a database that an earlier run kept (`--keep`), without seeding
    it again: its directory as it stands, a new API key for each of the run's members (the
    secrets of their first keys were not kept) and its paid orders, each with its buyer's
    new key. What a run adds stays (complaints it filed, the keys): a database measured
    again and again slowly grows. Vacuumed first, as `seed` leaves it."""
    out = Seeded()
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            members = session.scalars(
                select(User).where(User.email.like(MEMBER_EMAIL.format("%"))).order_by(User.id)
            ).all()
            keys = {
                user.id: api_keys.create(session, user, "load bench, again", Actor.of(user))[1]
                for user in members
            }
            out.keys = list(keys.values())
            first_gstin = (
                select(func.min(BusinessGstin.gstin))
                .where(BusinessGstin.business_id == Business.id)
                .scalar_subquery()
            )
            rows = session.execute(
                select(
                    Business.id,
                    Business.name,
                    first_gstin,
                    Business.pan,
                    Business.city,
                    Business.state,
                )
                .where(Business.merged_into_id.is_(None))
                .order_by(Business.id)
            )
            out.businesses = [
                (i, Synthetic(i, name, gstin, pan, city or "", state or ""))
                for i, name, gstin, pan, city, state in rows
            ]
            paid = session.execute(
                select(ReportOrder.user_id, ReportOrder.business_id).where(
                    ReportOrder.status == OrderStatus.PAID
                )
            )
            out.paid_reports = [(keys[u], b) for u, b in paid if u in keys]
            out.complaints = session.scalar(select(func.count()).select_from(Complaint)) or 0
        # What `seed` ends with, as autovacuum would have done since (it may be off, as on
        # the machines here): the rows a run files and moves leave dead versions behind,
        # and each run on the same database would otherwise read through more of them.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
    finally:
        engine.dispose()
    out.timings["total"] = time.perf_counter() - started
    if not out.keys or not out.businesses:
        raise SystemExit(f"{url}: not a database a load run kept (no members or businesses)")
    say(
        f"  reused {url.rsplit('/', 1)[-1]}: {len(out.businesses):,} businesses, "
        f"{out.complaints:,} complaints, {len(out.keys)} members (new keys)"
    )
    return out


def _write_csv(path: Path, directory: list[Synthetic]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(import_businesses.COLUMNS)
        for b in directory:
            writer.writerow([b.name, b.gstin or "", b.pan or "", b.city, b.state])


def _members(
    sessions: Callable[[], Session], wanted: int, rng: random.Random, out: Seeded
) -> list[User]:
    """Verified members, one user and one API key each (the CLI's `create-member --api-key`)."""
    users = []
    candidates = (
        b for b in generate(wanted * 3, seed=rng.randrange(1 << 30), first_id=1) if b.gstin
    )
    with sessions() as session, session.begin():
        for i in range(wanted):
            business = next(candidates)
            application = accounts.Application(
                business_name=business.name,
                gstin=business.gstin or "",
                email=MEMBER_EMAIL.format(i),
                password=PASSWORD,
                industry=INDUSTRIES[i % len(INDUSTRIES)],
                msme_category=MSME[i % len(MSME)],
            )
            user = accounts.create_active(session, application, SYSTEM)
            out.keys.append(api_keys.create(session, user, "load bench", Actor.of(user))[1])
            users.append(user)
    return users


def invoice_body(rng: random.Random, number: str, today: date) -> filing.InvoiceIn:
    due = today - timedelta(days=rng.randint(5, 400))
    amount = rng.randint(2_000, 5_000_000) * 100
    paid = rng.choice((0, 0, 0, amount // 4))
    return filing.InvoiceIn(
        number, due - timedelta(days=rng.choice((15, 30, 45, 60))), due, amount, paid
    )


def debtor_of(business_id: int, b: Synthetic, email: str) -> debtors.DebtorIn:
    """How a member names its debtor: by GSTIN when it has one, else the business id
    (a name alone would ask the member to confirm from candidates)."""
    if b.gstin:
        return debtors.DebtorIn(name=b.name, gstin=b.gstin, city=b.city, state=b.state, email=email)
    return debtors.DebtorIn(name=b.name, business_id=business_id, email=email)


def _file_complaints(
    url: str,
    settings: Settings,
    users: list[User],
    out: Seeded,
    wanted: int,
    rng: random.Random,
    processes: int,
) -> list[int]:
    """File `wanted` complaints against a skewed choice of debtors (a few businesses are
    reported by many members, most by one or two), in `processes` processes at once;
    returns the ids of the businesses with listed complaints."""
    today = date.today()
    debtor_pool = rng.sample(out.businesses, k=min(len(out.businesses), max(1, wanted // 3)))
    weights = [1.0 / (rank + 30) for rank in range(len(debtor_pool))]
    actors = [Actor.of(user) for user in users]
    plans: list[list[Plan]] = [[] for _ in range(processes)]
    for n in range(wanted):
        business_id, b = rng.choices(debtor_pool, weights=weights)[0]
        request = filing.FilingIn(
            debtor=debtor_of(business_id, b, f"accounts{business_id}@debtor.example"),
            invoices=[
                invoice_body(rng, f"INV/{n}/{k}", today) for k in range(rng.choice((1, 1, 2, 3)))
            ],
            evidence=[filing.EvidenceIn("invoice.pdf", EVIDENCE_PDF)],
        )
        # One process per debtor: batches of different processes never wait on each other.
        plans[business_id % processes].append(Plan(rng.choice(actors), request, rng.random()))
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.starmap(_file_part, [(url, settings, part) for part in plans])
    listed: set[int] = set()
    out.timings["outbox"] = max(seconds for _, seconds in results)
    for part, _ in results:
        out.complaints += len(part)
        listed.update(business_id for business_id, is_listed in part if is_listed)
    return sorted(listed)


@dataclass(frozen=True)
class Plan:
    actor: Actor
    request: filing.FilingIn
    fate: float


def _file_part(
    url: str, settings: Settings, plans: list[Plan]
) -> tuple[list[tuple[int, bool]], float]:
    """One process's share: file each complaint and give it its fate, committing every few
    hundred, then send the outbox; returns (debtor, listed) of each and the seconds the
    outbox took."""
    engine = seeding_engine(url)
    out = []
    try:
        with Session(engine, expire_on_commit=False) as session:
            for n, plan in enumerate(plans, 1):
                complaint = filing.file_complaint(
                    session, settings, plan.actor, plan.request
                ).complaint
                _age(session, complaint, plan)
                out.append((complaint.business_id, plan.fate < LISTED))
                if n % COMMIT_EVERY == 0:
                    session.commit()
                    session.expunge_all()
            session.commit()
            session.expunge_all()
            started = time.perf_counter()
            _drain_outbox(session, settings)
            return out, time.perf_counter() - started
    finally:
        engine.dispose()


def _age(session: Session, complaint: Complaint, plan: Plan) -> None:
    """What time would have done: most complaints listed once their notice period ended
    (the worker's move in `complaints.list_notice_period_over`), some settled by their
    member; the rest stay in notice."""
    if plan.fate < LISTED:
        complaints.transition(
            session,
            complaint,
            ComplaintStatus.LISTED,
            SYSTEM,
            "notice period ended without a dispute",
        )
    elif plan.fate < LISTED + SETTLED:
        complaints.settle(session, complaint, plan.actor, "paid after the notice")


def _drain_outbox(session: Session, settings: Settings) -> None:
    """Send the notices as `registry worker` does (`outbox.deliver_due` to `MAIL_URL`), so
    the servers start with the outbox of a registry whose worker has kept up, not with a
    backlog of 20,000 emails competing for the CPU during the measurements."""
    mailer = mailer_from_url(settings.mail_url)
    while True:
        report = outbox.deliver_due(session, mailer)
        session.expunge_all()
        if report.sent + report.failed == 0:
            return


def _pay_reports(
    sessions: Callable[[], Session],
    settings: Settings,
    users: list[User],
    out: Seeded,
    targets: list[int],
    wanted: int,
    rng: random.Random,
) -> None:
    """Paid report orders, each paid on the local test gateway, whose signed events go
    through the webhook's `receive()` exactly as `/webhooks/stripe` hands them over."""
    gateway = TestGateway(settings.stripe_webhook_secret, settings.instance_path / "test_gateway")
    base = settings.public_base_url
    keys = dict(zip([u.id for u in users], out.keys, strict=True))
    # What traders buy: reports on businesses whose search result shows listed complaints.
    listed = targets or [b for b, _ in out.businesses[:wanted]]
    with sessions() as session:
        for _ in range(wanted):
            user = session.get(User, rng.choice(users).id)
            assert user is not None
            started = orders.start_order(
                session,
                gateway,
                Actor.of(user),
                rng.choice(listed),
                price_paise=settings.report_price_paise,
                success_url=f"{base}/reports/return?session_id={SESSION_PLACEHOLDER}",
                cancel_url=f"{base}/reports/orders",
            )
            session.commit()
            completion = gateway.complete(started.order.checkout_session_id or "", "paid")
            for delivery in completion.deliveries:
                body, status = receive(
                    session,
                    gateway,
                    settings.stripe_webhook_secret,
                    delivery.payload,
                    delivery.signature,
                )
                assert status == 200, body
            session.commit()
            out.paid_reports.append((keys[user.id], started.order.business_id))


def production_settings(
    instance: Path, url: str, base_url: str, redis_url: str
) -> tuple[Settings, dict[str, str]]:
    """Production settings for the servers, and the environment that says them."""
    env = {
        "REGISTRY_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "STRIPE_SECRET_KEY": "sk_test_load_bench_no_gateway_calls",
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(32),
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "REDIS_URL": redis_url,
        "PUBLIC_BASE_URL": base_url,
        "MAIL_URL": f"file://{instance / 'outbox'}",
        "REGISTRY_INSTANCE": str(instance),
    }
    return Settings.from_env(env), env
