"""End-to-end journeys in a real browser: Debian's chromium driven by Playwright, against
the app served by werkzeug on 127.0.0.1 (a free port), on a database of its own with real
commits (not the rolled-back transaction of the other tests).

Playwright never downloads a browser here: it drives /usr/bin/chromium. Without it (or
without the playwright package) these tests are skipped, saying why.

Screenshots of the main pages are written to $E2E_SCREENSHOTS when it names a folder
(`E2E_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest tests/e2e`)."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal import create_app
from portal.devserver import server as dev_server
from registry.actors import SYSTEM
from registry.db import DEFERRED_BEGIN, make_engine, make_sessionmaker
from registry.identifiers import gstin_for
from registry.members import accounts
from registry.models import User
from registry.settings import Settings
from tests.conftest import PASSWORD

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")


@pytest.fixture(scope="session")
def e2e_settings(tmp_path_factory: pytest.TempPathFactory, database_server: Any) -> Settings:
    url = database_server.migrated_url()
    instance = tmp_path_factory.mktemp("e2e-instance")
    return Settings(
        instance_path=instance,
        database_url=url,
        secret_key=secrets.token_urlsafe(32),
        mail_url=f"file://{instance / 'outbox'}",
        stripe_webhook_secret="whsec_e2e_" + secrets.token_hex(8),
        ratelimit_enabled=False,
    )


@pytest.fixture(scope="session")
def sessions(e2e_settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(e2e_settings.database_url)
    # The journeys' own session keeps a transaction open while the server answers the
    # browser, and writes only while the server is idle: on SQLite it must not hold the
    # write lock meanwhile (the server's requests would wait for it).
    yield make_sessionmaker(engine.execution_options(**{DEFERRED_BEGIN: True}))
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(e2e_settings: Settings) -> Iterator[str]:
    # The port is known once the server listens, and the app's public address (its
    # links and checkout addresses) must name it: the app is built after the server.
    built: dict[str, Any] = {}

    def dispatch(environ: Any, start_response: Any) -> Any:
        return built["app"](environ, start_response)

    server = dev_server(dispatch)
    public = f"http://127.0.0.1:{server.server_port}"
    app = create_app({"REGISTRY_SETTINGS": e2e_settings.but(public_base_url=public)})
    built["app"] = app
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    engine = app.extensions["registry"].engine
    if engine is not None:
        engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (make test does, as root)")
    with playwright_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[[], Any]]:
    """Pages in fresh browser contexts (one per person in the journey). Any script error
    or Content-Security-Policy violation in the browser's console fails the journey."""
    contexts: list[Any] = []
    problems: list[str] = []

    def make(width: int = 1280, height: int = 860, javascript: bool = True) -> Any:
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == [], f"the browser reported: {problems}"


@pytest.fixture
def shoot() -> Callable[[Any, str], None]:
    """Save a full-page screenshot when E2E_SCREENSHOTS names a folder."""
    folder = os.environ.get("E2E_SCREENSHOTS")

    def take(page: Any, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def seed(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the served database; what a journey writes here is committed."""
    with sessions() as session:
        yield session


_numbers = iter(range(1, 10_000))


def member_user(session: Session, name: str, industry: str = "Textiles") -> User:
    n = next(_numbers)
    pan = f"AAEC{'ABCDEFGHJK'[n % 10]}{7000 + n:04d}{'PQRSTUVWXY'[n % 10]}"
    application = accounts.Application(
        name, gstin_for("27", pan), f"e2e{n}-{secrets.token_hex(3)}@example.com", PASSWORD
    )
    user = accounts.create_active(session, application, SYSTEM, industry=industry)
    session.commit()
    return user


def admin_user(session: Session) -> User:
    user = accounts.create_admin(
        session, f"admin-{secrets.token_hex(4)}@example.com", PASSWORD, SYSTEM
    )
    session.commit()
    return user


def log_in(page: Any, email: str, totp_secret: str | None = None) -> None:
    """Password, then (for a login with two-factor, as every admin has) the app's code."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if totp_secret:
        page.get_by_label("Code").fill(pyotp.TOTP(totp_secret).now())
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
