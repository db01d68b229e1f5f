"""Fixtures shared by the whole suite.

The schema is built once per run by the Alembic migrations (so they are tested too), on
SQLite by default or on a fresh PostgreSQL database when DATABASE_URL names a server.
Each test runs inside an outer transaction that is rolled back at its end.
"""

from __future__ import annotations

import gc
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, make_url, select, text
from sqlalchemy.orm import Session

from portal import create_app
from portal.extensions import limiter
from registry import migrate
from registry.actors import SYSTEM
from registry.complaints import filing
from registry.db import make_engine
from registry.directory import debtors
from registry.identifiers import gstin_for
from registry.members import accounts, api_keys
from registry.models import User
from registry.settings import Settings

PASSWORD = "correct-horse-battery"


class DatabaseServer:
    """Creates throwaway databases on the server DATABASE_URL points at (or SQLite files)."""

    def __init__(self, base_url: str | None, tmp: Path) -> None:
        self.base_url = base_url
        self.tmp = tmp
        self.created: list[str] = []
        self._template: str | None = None

    @property
    def is_postgres(self) -> bool:
        return bool(self.base_url) and self.base_url.startswith("postgresql")  # type: ignore[union-attr]

    def new_url(self) -> str:
        """A new, empty database."""
        return self._create()

    def migrated_url(self) -> str:
        """A new database already at the migrations' head: a copy of one migrated once per
        run (the migrations take about a second; a copy a tenth of that). Tests that
        migrate themselves, or need an empty database, take `new_url`."""
        if self._template is None:
            self._template = self.new_url()
            migrate.upgrade(self._template)
        return self._create(self._template)

    def _create(self, template: str | None = None) -> str:
        """A new database: empty, or a copy of `template`'s (one of ours, at rest)."""
        if not self.is_postgres:
            url = f"sqlite:///{self.tmp / f'{secrets.token_hex(4)}.sqlite3'}"
            if template:
                shutil.copyfile(_sqlite_file(template), _sqlite_file(url))
            return url
        name = f"registry_test_{os.getpid()}_{secrets.token_hex(4)}"
        copied = f' TEMPLATE "{make_url(template).database}"' if template else ""
        admin = create_engine(self.base_url, isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
        admin.dispose()
        self.created.append(name)
        return make_url(self.base_url).set(database=name).render_as_string(hide_password=False)  # type: ignore[arg-type]

    def drop_all(self) -> None:
        if not self.created:
            return
        admin = create_engine(self.base_url, isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


#: What a test asks for when it reads or writes a database.
DATABASE_FIXTURES = frozenset(
    {
        "database_server",
        "database_url",
        "engine",
        "connection",
        "session_factory",
        "db",
        "settings",
        "app",
        "client",
        "factory",
        "auth",
    }
)
#: The pure matching package's tests: none touches a database.
PURE_TESTS = Path(__file__).parent / "matching"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="leave out the tests marked database_independent (those of tests/matching "
        "too): `make test` runs them once, in the suite on SQLite, not again on PostgreSQL",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "database_independent: touches no database, so it runs alike on any; "
        "--database-tests-only leaves it out",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks tests/matching's tests database-independent; refuses such a test that asks
    for a database fixture (it would then go untested on PostgreSQL); with
    `--database-tests-only`, leaves them out."""
    kept, left = [], []
    for item in items:
        if item.path.is_relative_to(PURE_TESTS):
            item.add_marker(pytest.mark.database_independent)
        if item.get_closest_marker("database_independent") is None:
            kept.append(item)
            continue
        asked = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if asked:
            raise pytest.UsageError(
                f"{item.nodeid} is marked database_independent but asks for "
                f"{', '.join(sorted(asked))}"
            )
        (left if config.getoption("--database-tests-only") else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def _sqlite_file(url: str) -> str:
    return make_url(url).database or ""


@pytest.fixture(scope="session")
def database_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseServer]:
    server = DatabaseServer(os.environ.get("DATABASE_URL"), tmp_path_factory.mktemp("db"))
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def database_url(database_server: DatabaseServer) -> str:
    return database_server.new_url()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate.upgrade(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> Callable[[], Session]:
    def make() -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return make


@pytest.fixture
def db(session_factory: Callable[[], Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        instance_path=tmp_path,
        database_url=database_url,
        secret_key="test-secret-key",
        mail_url=f"file://{tmp_path / 'outbox'}",
        stripe_webhook_secret="whsec_test_secret",
        ratelimit_enabled=False,
        public_base_url="http://localhost",  # the test client's own address
    )


def build_app(settings: Settings, session_factory: Callable[[], Session], **config: Any) -> Flask:
    app = create_app(
        {
            "REGISTRY_SETTINGS": settings,
            "SESSION_FACTORY": session_factory,
            "TESTING": True,
            **config,
        }
    )
    if limiter.enabled:
        with app.app_context():
            limiter.reset()
    return app


@pytest.fixture
def app(settings: Settings, session_factory: Callable[[], Session]) -> Flask:
    return build_app(settings, session_factory, WTF_CSRF_ENABLED=False)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Factory:
    """Makes members, admins and keys the way the services do."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def member_user(self, name: str | None = None, active: bool = True) -> User:
        n = self._next()
        pan = f"AAB{'CFP'[n % 3]}{chr(65 + n % 26)}{1000 + n:04d}{chr(65 + (n * 7) % 26)}"
        application = accounts.Application(
            business_name=name or f"Test Traders {n}",
            gstin=gstin_for("27", pan),
            email=f"member{n}-{secrets.token_hex(3)}@example.com",
            password=PASSWORD,
        )
        if active:
            user = accounts.create_active(self.session, application, SYSTEM)
        else:
            user = accounts.apply(self.session, application).users[0]
        self.session.flush()
        return user

    def admin(self) -> User:
        n = self._next()
        user = accounts.create_admin(
            self.session, f"admin{n}-{secrets.token_hex(3)}@example.com", PASSWORD, SYSTEM
        )
        self.session.flush()
        return user

    def api_key(self, user: User) -> str:
        return api_keys.create(self.session, user, "tests", SYSTEM)[1]


@pytest.fixture
def factory(db: Session) -> Factory:
    return Factory(db)


class Auth:
    def __init__(self, client: FlaskClient, session: Session | None = None) -> None:
        self.client = client
        self.session = session

    def login(self, email: str, password: str = PASSWORD) -> Any:
        """Logs in; for a login with two-factor (every admin), with a current code too."""
        data = {"email": email, "password": password}
        code = totp_code(self.session, email) if self.session is not None else None
        if code:
            data["code"] = code
        return self.client.post("/login", data=data)

    def logout(self) -> Any:
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient, db: Session) -> Auth:
    return Auth(client, db)


def totp_code(session: Session, email: str) -> str | None:
    """A current two-factor code for this login, or None when it has no two-factor.
    The user's last used step is cleared, so two logins in one test both work."""
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.totp_secret:
        return None
    user.totp_last_step = None
    session.flush()
    return pyotp.TOTP(user.totp_secret).now()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 32


def filing_request(**overrides: Any) -> Any:
    """A valid complaint filing (overdue invoice, evidence, debtor with a GSTIN)."""
    today = date.today()
    debtor = overrides.pop("debtor", None) or debtors.DebtorIn(
        name="Lakshmi Paper Mart",
        gstin=gstin_for("24", "ABCFL1111A"),
        city="Surat",
        state="Gujarat",
        email="accounts@lakshmi-paper.example",
    )
    invoices = overrides.pop("invoices", None) or [
        filing.InvoiceIn(
            "LP/2026/101",
            today - timedelta(days=90),
            today - timedelta(days=60),
            500000_00,
            100000_00,
        )
    ]
    evidence = overrides.pop("evidence", None) or [filing.EvidenceIn("invoice-101.pdf", PDF)]
    return filing.FilingIn(debtor=debtor, invoices=invoices, evidence=evidence, **overrides)


@pytest.fixture
def without_garbage_collector() -> Iterator[None]:
    """Python's cyclic garbage collector off for the test (as it was after): what is then
    freed at once was freed by reference counting, and `gc.collect()` counts the rest."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
