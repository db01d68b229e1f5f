"""A filing racing a merge lands on the survivor (PostgreSQL, two sessions). Before, a
filing that had read the business before the merge committed stayed on the merged-away
record, where the survivor's file and report never showed it."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from registry.actors import SYSTEM, Actor
from registry.complaints import filing
from registry.db import make_engine, make_sessionmaker
from registry.directory import businesses, debtors, merges
from registry.models import Complaint
from tests.conftest import Factory, filing_request


@pytest.fixture
def own_database(database_server):
    if not database_server.is_postgres:
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite lets one writer in at a time")
    url = database_server.migrated_url()
    engine = make_engine(url, pool_size=5)
    yield engine
    engine.dispose()


def two_records(sessions):
    with sessions.begin() as session:
        member = Actor.of(Factory(session).member_user())
        keep = businesses.create(session, SYSTEM, "Lakshmi Paper Mart", city="Surat")
        gone = businesses.create(session, SYSTEM, "Laxmi Paper Mart", city="Surat")
        return member, keep.id, gone.id


def against(business_id):
    return filing_request(
        debtor=debtors.DebtorIn(
            name="Laxmi Paper Mart", business_id=business_id, email="a@laxmi.example"
        )
    )


def wait_until_blocked(engine, timeout=20.0):
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
    raise AssertionError("nobody waited for the other's row")


def test_a_merge_committed_while_the_filing_ran_sends_it_to_the_survivor(
    own_database, settings, monkeypatch
):
    sessions = make_sessionmaker(own_database)
    member, keep_id, gone_id = two_records(sessions)
    real_resolve = debtors.resolve

    def resolve_then_merge_elsewhere(session, actor, debtor):
        business = real_resolve(session, actor, debtor)
        assert business.id == gone_id  # read before the merge
        with sessions.begin() as admin:
            merges.merge(admin, keep_id, gone_id, SYSTEM)
        return business

    monkeypatch.setattr(debtors, "resolve", resolve_then_merge_elsewhere)
    with sessions.begin() as session:
        filed = filing.file_complaint(session, settings, member, against(gone_id))
        complaint_id = filed.complaint.id
    with sessions() as session:
        assert session.get(Complaint, complaint_id).business_id == keep_id


def test_a_merge_begun_during_the_filing_waits_and_moves_its_complaint(own_database, settings):
    sessions = make_sessionmaker(own_database)
    member, keep_id, gone_id = two_records(sessions)
    filer = sessions()
    complaint_id = filing.file_complaint(filer, settings, member, against(gone_id)).complaint.id
    errors = []

    def admin_merges():
        try:
            with sessions.begin() as admin:
                merges.merge(admin, keep_id, gone_id, SYSTEM)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    merging = threading.Thread(target=admin_merges)
    merging.start()
    wait_until_blocked(own_database)
    filer.commit()
    filer.close()
    merging.join(30)
    assert not merging.is_alive() and errors == []
    with sessions() as session:
        assert session.get(Complaint, complaint_id).business_id == keep_id
        assert session.scalars(select(Complaint.business_id)).all() == [keep_id]
