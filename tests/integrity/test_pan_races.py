"""One new PAN gets one business however many filings race for it (PostgreSQL). Before,
two filings with GSTINs of one new PAN (Maharashtra and Gujarat, say) each found no
business with the PAN and each created one."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from registry.actors import Actor
from registry.complaints import filing
from registry.db import make_sessionmaker
from registry.directory import debtors
from registry.identifiers import gstin_for
from registry.models import Business, BusinessGstin, Complaint
from tests.conftest import Factory, filing_request
from tests.integrity.test_merge_races import own_database, wait_until_blocked  # noqa: F401

PAN = "ABCPN3333N"
TODAY = date.today()


def request(state, number):
    return filing_request(
        debtor=debtors.DebtorIn(
            name="Navkar Traders", gstin=gstin_for(state, PAN), email=f"{state}@navkar.example"
        ),
        invoices=[
            filing.InvoiceIn(
                number, TODAY - timedelta(days=70), TODAY - timedelta(days=40), 300000_00
            )
        ],
    )


def test_two_filings_with_gstins_of_one_new_pan_make_one_business(
    own_database,  # noqa: F811
    settings,
):
    sessions = make_sessionmaker(own_database)
    with sessions.begin() as session:
        factory = Factory(session)
        first, second = Actor.of(factory.member_user()), Actor.of(factory.member_user())
    winner = sessions()
    won = filing.file_complaint(winner, settings, first, request("27", "N-1")).complaint
    answers, errors = [], []

    def the_other_files():
        try:
            with sessions.begin() as session:
                answers.append(
                    filing.file_complaint(
                        session, settings, second, request("24", "N-2")
                    ).complaint.business_id
                )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    loser = threading.Thread(target=the_other_files)
    loser.start()
    try:
        wait_until_blocked(own_database)
    finally:
        business_id = won.business_id
        winner.commit()
        winner.close()
        loser.join(30)
    assert errors == [] and answers == [business_id]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Business)) == 1
        assert sorted(session.scalars(select(BusinessGstin.gstin))) == [
            gstin_for("24", PAN),
            gstin_for("27", PAN),
        ]
        assert set(session.scalars(select(Complaint.business_id))) == {business_id}
