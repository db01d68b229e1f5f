"""Two filings about the same debtor at once: a new business by its GSTIN, another GSTIN
of a known PAN, a new spelling of a known name. Each is a row under a unique constraint,
written after a "is it there yet?" read; the request that writes second uses the row the
first one wrote, and its filing goes through against the same business."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select, text

from registry.actors import Actor
from registry.complaints import filing
from registry.db import make_engine, make_sessionmaker
from registry.directory import businesses, debtors
from registry.identifiers import gstin_for
from registry.models import (
    AuditEntry,
    Business,
    BusinessAlias,
    BusinessGstin,
    Complaint,
    NameTokenStat,
)
from registry.search_index import name_index
from tests.conftest import Factory, build_app, filing_request

TODAY = date.today()
KNOWN_GSTIN = gstin_for("24", "ABCFL1111A")
OTHER_GSTIN = gstin_for("27", "ABCFL1111A")  # the same PAN, another state

#: What the two racing filings say about their debtor (the business of
#: `filing_request()` is on the registry already, except for "new business").
RACES = {
    "new business": debtors.DebtorIn(
        name="Balaji Enterprises",
        gstin=gstin_for("27", "ABCPB2222B"),
        city="Pune",
        email="accounts@balaji.example",
    ),
    "another GSTIN of its PAN": debtors.DebtorIn(
        name="Lakshmi Paper Mart", gstin=OTHER_GSTIN, email="mumbai@lakshmi-paper.example"
    ),
    "a new spelling": debtors.DebtorIn(
        name="Laxmi Paper Mart Surat", gstin=KNOWN_GSTIN, email="surat@lakshmi-paper.example"
    ),
}


def invoice(number):
    return [
        filing.InvoiceIn(number, TODAY - timedelta(days=70), TODAY - timedelta(days=40), 300000_00)
    ]


def api_filing(debtor, number):
    """The JSON of a filing of one overdue invoice against `debtor`."""
    return {
        "debtor": debtor,
        "invoices": [
            {
                "number": number,
                "invoice_date": str(TODAY - timedelta(days=70)),
                "due_date": str(TODAY - timedelta(days=40)),
                "amount_paise": 300000_00,
            }
        ],
        "evidence": [{"filename": f"{number}.pdf", "content_base64": "JVBERi0xLjQKJSVFT0YK"}],
    }


def rows(session):
    return {
        "businesses": session.scalar(select(func.count()).select_from(Business)),
        "gstins": sorted(session.scalars(select(BusinessGstin.gstin))),
        "aliases": sorted(session.scalars(select(BusinessAlias.name))),
        "indexed names": session.scalar(
            select(func.coalesce(func.sum(NameTokenStat.doc_freq), 0)).where(
                NameTokenStat.token == name_index.TOTAL
            )
        ),
        "created": session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "created")
        ),
    }


# --- simulated: the rival's row appears between the read and the insert (both databases)


def rival_alias(session, business, name):
    """Another request's spelling, committed after this one read the business's names."""
    session.execute(
        insert(BusinessAlias).values(business_id=business.id, name=name, source="filing")
    )


def test_a_spelling_added_meanwhile_is_used_not_added_again(db, factory):
    business = businesses.create(db, Actor.of(factory.member_user()), "Lakshmi Paper Mart")
    assert business.aliases == []  # this request has read the names
    rival_alias(db, business, "Laxmi Paper Mart")
    businesses.add_alias(db, business, "Laxmi Paper Mart", "filing")
    assert db.scalars(select(BusinessAlias.name)).all() == ["Laxmi Paper Mart"]
    assert [a.name for a in business.aliases] == ["Laxmi Paper Mart"]


def test_a_gstin_added_meanwhile_is_used_not_added_again(db, factory):
    actor = Actor.of(factory.member_user())
    business = businesses.create(db, actor, "Lakshmi Paper Mart", gstin=KNOWN_GSTIN)
    assert len(business.gstins) == 1  # this request has read the GSTINs
    db.execute(insert(BusinessGstin).values(business_id=business.id, gstin=OTHER_GSTIN))
    assert businesses.add_gstin(db, business, OTHER_GSTIN) is business
    assert sorted(db.scalars(select(BusinessGstin.gstin))) == [KNOWN_GSTIN, OTHER_GSTIN]
    assert sorted(g.gstin for g in business.gstins) == [KNOWN_GSTIN, OTHER_GSTIN]


def test_a_gstin_another_business_took_meanwhile_answers_that_business(db, factory):
    """The GSTIN decides who the debtor is: if a rival gave it to another record of the
    PAN (the one it found first, say), the filing is about that record."""
    actor = Actor.of(factory.member_user())
    first = businesses.create(db, actor, "Lakshmi Paper Mart", pan="ABCFL1111A")
    second = businesses.create(db, actor, "Lakshmi Paper Mart (Mumbai)", pan="ABCFL1111A")
    assert second.gstins == []
    db.execute(insert(BusinessGstin).values(business_id=first.id, gstin=OTHER_GSTIN))
    assert businesses.add_gstin(db, second, OTHER_GSTIN) is first
    assert db.scalars(select(BusinessGstin.business_id)).all() == [first.id]


def test_a_filing_whose_spelling_a_rival_added_meanwhile_goes_through(
    app, client, db, factory, settings, monkeypatch
):
    """Through the API, on either database: the existence check misses the rival's
    spelling once, so the unique constraint is what notices. That used to be a 500."""
    filed = filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    business = filed.complaint.business
    key = factory.api_key(factory.member_user(name="Kaveri Agro"))
    before = rows(db)
    real_add_alias = businesses.add_alias

    def rival_first(session, business, name, source):
        list(business.aliases)  # this request reads the names...
        rival_alias(session, business, name)  # ...another commits the same spelling...
        real_add_alias(session, business, name, source)  # ...and this one adds it

    monkeypatch.setattr(businesses, "add_alias", rival_first)
    response = client.post(
        "/api/v1/complaints",
        json=api_filing(
            {"name": "Laxmi  Paper Mart Surat", "gstin": KNOWN_GSTIN, "email": "a@lp.example"},
            "R-1",
        ),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.json
    assert db.get(Complaint, response.json["id"]).business_id == business.id
    assert rows(db) == before | {"aliases": sorted([*before["aliases"], "Laxmi Paper Mart Surat"])}


# --- real: two requests on PostgreSQL, the second waiting on the first one's row


@pytest.fixture
def own_database(database_server):
    if not database_server.is_postgres:
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL): SQLite lets one writer in at a time, and turns "
            "the second filing away as 'database is locked' (503, try again) before it "
            "reaches the unique constraint"
        )
    url = database_server.migrated_url()
    engine = make_engine(url, pool_size=5)
    yield engine
    engine.dispose()


def wait_until_blocked(engine, timeout=20.0):
    """Until some session of this database waits for a row lock (the rival's insert)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            watcher.rollback()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the second filing never waited for the first one's row")


@pytest.mark.parametrize("race", RACES)
def test_two_members_filing_about_one_debtor_at_once(own_database, settings, race):
    """One member's filing has written the debtor's rows and not committed; another's,
    through the API, looks, misses them and waits on its insert; the first commits. The
    second used to get a 500 for another GSTIN of the PAN and for a new spelling."""
    sessions = make_sessionmaker(own_database)
    with sessions.begin() as session:
        factory = Factory(session)
        first, second, third = (factory.member_user() for _ in range(3))
        if race != "new business":
            filing.file_complaint(session, settings, Actor.of(first), filing_request())
        key = factory.api_key(third)
    with sessions() as session:
        before = rows(session)
    app = build_app(settings.but(database_url=str(own_database.url)), sessions)
    debtor = RACES[race]
    winner = sessions()
    won = filing.file_complaint(
        winner, settings, Actor.of(second), filing_request(debtor=debtor, invoices=invoice("W-1"))
    )
    answers = []

    def the_other_member_files():
        answers.append(
            app.test_client().post(
                "/api/v1/complaints",
                json=api_filing(
                    {k: v for k, v in vars(debtor).items() if v and k != "new_business"}, "L-1"
                ),
                headers={"Authorization": f"Bearer {key}"},
            )
        )

    loser = threading.Thread(target=the_other_member_files)
    loser.start()
    try:
        wait_until_blocked(own_database)
    finally:
        winner.commit()
        winner.close()
        loser.join()
    response = answers[0]
    assert response.status_code == 201, response.json
    with sessions() as session:
        assert session.get(Complaint, response.json["id"]).business_id == won.complaint.business_id
        after = rows(session)
    assert after["businesses"] == before["businesses"] + (race == "new business")
    assert after["created"] == before["created"] + (race == "new business")
    assert len(after["gstins"]) == len(set(after["gstins"]))
    assert after["gstins"] == sorted({*before["gstins"], debtor.gstin})
    names = {debtor.name} - {"Lakshmi Paper Mart", "Balaji Enterprises"}
    assert after["aliases"] == sorted({*before["aliases"], *names})
    assert after["indexed names"] == before["indexed names"] + len(names) + (race == "new business")
