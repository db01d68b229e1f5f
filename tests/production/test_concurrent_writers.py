"""Members filing at the same moment, each answered. On SQLite (`make run`) the web
server's threads and the worker write one file: before every transaction began with the
write lock, most filings made at once answered 503 "briefly unavailable" (a request that
had read could not start writing after another's commit). On PostgreSQL the same test
holds the same promise."""

from __future__ import annotations

import base64
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from registry import worker
from registry.db import make_engine, make_sessionmaker
from registry.identifiers import gstin_for
from registry.mailer import mailer_from_url
from registry.models import Complaint
from tests.conftest import PDF, Factory
from tests.production.conftest import real_app

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
FILINGS = 24


def body(n: int) -> dict[str, Any]:
    today = date.today()
    pan = f"ABCF{LETTERS[n % 24]}{1000 + n:04d}Q"
    return {
        "debtor": {
            "name": f"Concurrent Buyer {n}",
            "gstin": gstin_for("27", pan),
            "email": f"buyer{n}@concurrent.example",
        },
        "invoices": [
            {
                "number": f"CB/{n}",
                "invoice_date": str(today - timedelta(days=90)),
                "due_date": str(today - timedelta(days=60)),
                "amount_paise": 100000_00,
            }
        ],
        "evidence": [{"filename": "invoice.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }


def test_filings_made_at_once_beside_the_worker_are_all_filed(
    database_server, tmp_path, dispose_later
):
    url = database_server.migrated_url()
    app = dispose_later(real_app(url, tmp_path))
    settings = app.extensions["registry"].settings
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        made = Factory(session)
        key = made.api_key(made.member_user("Busy Mills"))

    def file(n: int) -> tuple[int, int]:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}"}
        filed = client.post("/api/v1/complaints", json=body(n), headers=headers)
        found = client.get(
            "/api/v1/businesses/search", query_string={"q": f"Concurrent Buyer {n}"},
            headers=headers,
        )  # fmt: skip
        return filed.status_code, found.status_code

    mailer = mailer_from_url(settings.mail_url)
    with ThreadPoolExecutor(6) as pool:
        answers = pool.map(file, range(FILINGS))
        # the worker's rounds write too (the notices' emails, time's moves)
        rounds = [pool.submit(worker.run_once, sessions, mailer, settings) for _ in range(3)]
        statuses = list(answers)
    assert Counter(filed for filed, _ in statuses) == {201: FILINGS}
    assert Counter(found for _, found in statuses) == {200: FILINGS}
    for round_ in rounds:
        round_.result()  # none refused ("database is locked")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == FILINGS
    engine.dispose()
