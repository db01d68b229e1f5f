"""The `registry` console script (API.md): database, users, demo data, worker."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import pyotp
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from matching.normalise import VERSION
from registry import audit, demo, launcher, logs, migrate, worker
from registry.actors import Actor
from registry.db import READS_ONLY, make_engine, make_sessionmaker
from registry.directory import aliases, duplicates
from registry.directory import import_businesses as business_import
from registry.errors import RegistryError, ValidationFailed
from registry.mailer import mailer_from_url
from registry.members import accounts, api_keys
from registry.models import utcnow
from registry.payments import fulfilment
from registry.payments.gateways import gateway_for
from registry.search_index import bulk_load, index_file, name_index
from registry.settings import ConfigurationError, Settings

CLI_ACTOR = Actor(kind="system", label="registry CLI")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def _transaction(settings: Settings, *, reads_only: bool = False) -> Iterator[Session]:
    """One transaction; `reads_only` for a command that writes nothing to the database
    (on SQLite it then holds no writer back, see `registry.db.READS_ONLY`)."""
    engine = make_engine(settings.database_url, hide_parameters=settings.production)
    try:
        bind = engine.execution_options(**READS_ONLY) if reads_only else engine
        with make_sessionmaker(bind).begin() as session:
            _refuse_unless_at_head(session.connection())
            yield session
    finally:
        engine.dispose()


def _refuse_unless_at_head(connection: Connection) -> None:
    """The commands work on a database at this release's revision only (why:
    `migrate.not_at_head`; `/readyz` keeps the web side so; `init-db` and `run` migrate
    it first)."""
    reason = migrate.not_at_head(connection)
    if reason is not None:
        raise click.ClickException(reason)


def _vacuum(settings: Settings) -> None:
    """Tidy the index tables after a bulk change (a no-op on SQLite)."""
    engine = make_engine(settings.database_url, hide_parameters=settings.production)
    try:
        bulk_load.vacuum(engine)
    finally:
        engine.dispose()


def _fail_on_domain_errors(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except ValidationFailed as exc:
        detail = "; ".join(f"{field}: {message}" for field, message in exc.fields.items())
        raise click.ClickException(f"{exc.message} {detail}") from exc
    except RegistryError as exc:
        raise click.ClickException(exc.message) from exc


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, sort_keys=True))


@click.group()
def main() -> None:
    """Khata Registry administration."""
    logs.configure(level=logging.INFO)


@main.command("init-db")
def init_db() -> None:
    """Migrate the database to the newest revision."""
    settings = _settings()
    migrate.upgrade(settings.database_url)
    click.echo("database is at the newest revision")
    with _transaction(settings) as session:
        rejudged = aliases.rejudge(session)
    if rejudged:
        click.echo(f"re-judged {rejudged} search names that filings gave before provenance")
    with _transaction(settings) as session:
        older = name_index.older_version(session)
    if older is not None:
        click.echo(
            f"note: the search index holds names read by version {older} of the name matcher; "
            f"this release reads them as version {VERSION}. Run `registry reindex` once "
            "(searches keep working meanwhile).",
            err=True,
        )


@main.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--api-key", "with_key", is_flag=True, help="also create an API key and print it")
def create_admin(email: str, password: str, with_key: bool) -> None:
    """Add a registry admin."""
    settings = _settings()

    def run() -> dict[str, Any]:
        with _transaction(settings) as session:
            user = accounts.create_admin(session, email, password, CLI_ACTOR)
            out: dict[str, Any] = {"user_id": user.id, "email": user.email, "role": "admin"}
            # The admin's portal login needs this (TOTP, RFC 6238): shown once, here.
            out["totp_secret"] = user.totp_secret
            if with_key:
                out["api_key"] = api_keys.create(session, user, "CLI", CLI_ACTOR)[1]
            return out

    _echo_json(_fail_on_domain_errors(run))


@main.command("create-member")
@click.option("--name", required=True)
@click.option("--gstin", required=True)
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--api-key", "with_key", is_flag=True, help="also create an API key and print it")
def create_member(name: str, gstin: str, email: str, password: str, with_key: bool) -> None:
    """Add an active, verified member with one user."""
    settings = _settings()

    def run() -> dict[str, Any]:
        with _transaction(settings) as session:
            application = accounts.Application(name, gstin, email, password)
            user = accounts.create_active(session, application, CLI_ACTOR)
            out: dict[str, Any] = {
                "member_id": user.member_id,
                "user_id": user.id,
                "email": user.email,
                "role": "member",
            }
            if with_key:
                out["api_key"] = api_keys.create(session, user, "CLI", CLI_ACTOR)[1]
            return out

    _echo_json(_fail_on_domain_errors(run))


@main.command("audit-verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exits 1 when it is broken."""
    settings = _settings()
    with _transaction(settings, reads_only=True) as session:
        verdict = audit.verify(session)
    _echo_json(verdict.as_json())
    if not verdict.ok:
        sys.exit(1)


@main.command("demo")
def load_demo() -> None:
    """Load demo data (does nothing when it is already there)."""
    settings = _settings()
    with _transaction(settings) as session:
        created = demo.load(session, settings)
    click.echo("demo data loaded" if created else "demo data already present")


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, envvar="PORT", default=5000, show_default=True)
@click.option("--interval", default=2.0, show_default=True, help="worker: seconds between rounds")
@click.option("--no-demo", is_flag=True, help="do not load the demo data")
def run_all(host: str, port: int, interval: float, no_demo: bool) -> None:
    """The whole product on one machine: migrate, load the demo data once, then the web
    server and the worker together until Ctrl-C (development only)."""
    os.environ["PORT"] = str(port)  # PUBLIC_BASE_URL follows the port unless it is set
    settings = _settings()
    if settings.production:
        raise click.ClickException("`registry run` is for development; production: make serve")
    migrate.upgrade(settings.database_url)
    if not no_demo:
        with _transaction(settings) as session:
            demo.load(session, settings)
    plan = launcher.Plan(host, port, interval)
    code = launcher.run(plan, settings.public_base_url, not no_demo, click.echo)
    sys.exit(code)


@main.command("demo-code")
def demo_code() -> None:
    """Print the demo admin's current two-factor code (the demo's key is public)."""
    click.echo(pyotp.TOTP(demo.ADMIN_TOTP_SECRET).now())


@main.command("worker")
@click.option("--once", is_flag=True, help="run one round and exit")
@click.option("--interval", default=5.0, show_default=True, help="seconds between rounds")
def run_worker(once: bool, interval: float) -> None:
    """Send queued emails and alerts; apply time-based transitions; clear abandoned
    imports and uploaded files no row names."""
    settings = _settings()
    engine = make_engine(settings.database_url, hide_parameters=settings.production)
    try:
        with engine.connect() as connection:
            _refuse_unless_at_head(connection)
    except click.ClickException:
        engine.dispose()
        raise
    sessions = make_sessionmaker(engine)
    mailer = mailer_from_url(settings.mail_url)
    if once:
        result = worker.run_once(sessions, mailer, settings)
        _echo_json(result.__dict__)
        engine.dispose()
        return
    try:
        worker.run_forever(sessions, mailer, settings, interval)
    except KeyboardInterrupt:
        sys.exit(0)


@main.command("gateway-events")
@click.option("--since", "hours", default=72.0, show_default=True, help="look back this many hours")
@click.option("--replay", is_flag=True, help="handle the events this registry never received")
def gateway_events(hours: float, replay: bool) -> None:
    """List the payment gateway's recent events; with --replay, feed missed ones through
    the webhook's handler (prints one JSON object)."""
    settings = _settings()
    gateway = gateway_for(settings)
    since = utcnow() - timedelta(hours=hours)

    def run() -> dict[str, Any]:
        with _transaction(settings) as session:
            rows = fulfilment.replay_events(session, gateway, since, replay=replay)
        return {"events": rows, "replayed": sum(1 for row in rows if "outcome" in row)}

    _echo_json(_fail_on_domain_errors(run))


def _terminal_progress(label: str) -> Callable[[int, int], None] | None:
    """A progress line on a terminal (stderr), nothing when output is piped."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r{label} [{bar:<30}] {done:,}/{total:,}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


@main.command("import-businesses")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_businesses(csv_file: Path) -> None:
    """Load a directory of known businesses (name,gstin,pan,city,state)."""
    settings = _settings()
    try:
        with _transaction(settings) as session:
            report = business_import.import_file(
                session, csv_file, CLI_ACTOR, _terminal_progress("importing")
            )
    except business_import.ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    _vacuum(settings)
    for part in report.json_parts():  # streamed: a million rows' outcomes are not held
        click.echo(part, nl=False)
    click.echo()
    report.close()


@main.command("reindex")
def reindex() -> None:
    """Rebuild the name index from the directory (after an upgrade that changes matching)."""
    settings = _settings()
    with _transaction(settings) as session:
        count = name_index.rebuild(session, CLI_ACTOR, _terminal_progress("indexing"))
    _vacuum(settings)
    out: dict[str, Any] = {"businesses": count}
    if settings.search_index_dir is not None:
        with _transaction(settings, reads_only=True) as session:
            folder = index_file.write_from_tables(session.connection(), settings.search_index_dir)
        out["index_file"] = str(folder)
    _echo_json(out)


@main.command("find-duplicates")
def find_duplicates() -> None:
    """Refresh the admins' queue of probable duplicate businesses; prints a JSON summary."""
    settings = _settings()
    with _transaction(settings) as session:
        summary = duplicates.refresh_by(session, CLI_ACTOR)
    _echo_json(summary)


if __name__ == "__main__":
    main()
