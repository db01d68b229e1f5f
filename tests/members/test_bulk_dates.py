"""CSV bulk filing reads dates row by row when only one order makes sense, asks once per
file about the ones either order could mean, and lets a bad row be corrected in place."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from registry.actors import Actor
from registry.bulk import batches
from registry.errors import InvalidTransition, ValidationFailed
from registry.models import Complaint, ImportStatus
from tests.members.conftest import csv_bytes, gstin
from tests.members.test_bulk_import import LEDGER, actions, file_all

HEADER = ["Party Name", "GSTIN", "Mobile", "Bill No", "Bill Date", "Due Date", "Amount"]
TODAY = date(2026, 12, 4)


def line(number, invoiced, due, n=1, mobile="9876543210"):
    return ["Lakshmi Paper Mart", gstin(n), mobile, number, invoiced, due, "2,00,000"]


def upload(db, settings, user, lines):
    return batches.upload(
        db, settings, Actor.of(user), "x.csv", csv_bytes(lines, header=HEADER), [LEDGER]
    )


def dates_of(batch):
    plan = batches.plan_of(batch)
    return [(i["invoice_date"], i["due_date"]) for g in plan["groups"] for i in g["invoices"]]


def replan(db, settings, batch):
    batches._replan(db, settings, batch, TODAY)


def test_unambiguous_dates_are_read_whatever_the_rest_and_set_the_files_order(
    db, settings, factory
):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [
            line("A-1", "31-07-2026", "30-08-2026"),  # day first, no doubt
            line("A-2", "04-05-2026", "04-06-2026"),  # either: the file's order (day first)
            line("A-3", "2026-03-02", "2026-04-01"),  # ISO
        ],
    )
    replan(db, settings, batch)
    plan = batches.plan_of(batch)
    assert plan["dates"] == {"order": "dmy", "question": False, "unanswered": False}
    assert [a for a, _ in dates_of(batch)] == ["2026-07-31", "2026-05-04", "2026-03-02"]


def test_a_month_first_file_is_read_month_first_not_refused(db, settings, factory):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [line("A-1", "07/31/2026", "08/30/2026"), line("A-2", "04/05/2026", "05/05/2026")],
    )
    replan(db, settings, batch)
    assert [a for a, _ in dates_of(batch)] == ["2026-07-31", "2026-04-05"]


def test_only_ambiguous_dates_are_asked_about_once_for_the_file(db, settings, factory):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [line("A-1", "04-05-2026", "04-06-2026"), line("A-2", "03-02-2026", "03-03-2026")],
    )
    replan(db, settings, batch)
    plan = batches.plan_of(batch)
    assert plan["dates"] == {"order": None, "question": True, "unanswered": True}
    seen = actions(batch)
    assert seen[2][0] == seen[3][0] == "error"
    assert "day first or month first" in seen[2][1][0]
    with pytest.raises(ValidationFailed):
        batches.answer_date_order(db, settings, batch, "ymd", TODAY)
    batches.answer_date_order(db, settings, batch, "mdy", TODAY)
    assert batches.plan_of(batch)["dates"] == {
        "order": "mdy",
        "question": True,
        "unanswered": False,
    }
    assert dates_of(batch) == [("2026-04-05", "2026-04-06"), ("2026-03-02", "2026-03-03")]
    batches.answer_date_order(db, settings, batch, "dmy", TODAY)
    assert dates_of(batch)[0] == ("2026-05-04", "2026-06-04")
    # the answer survives a new mapping
    batches.set_mapping(db, settings, batch, batches.mapping_of(batch) | {"email": ""}, TODAY)
    assert dates_of(batch)[0] == ("2026-05-04", "2026-06-04")


def test_a_bad_row_is_corrected_in_place_and_filed(db, settings, factory):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [
            line("A-1", "31-07-2026", "30-08-2026"),
            line("B-1", "31-07-2026", "31-02-2026", n=2, mobile="12345"),
        ],
    )
    seen = actions(batch)
    assert seen[3][0] == "error" and len(seen[3][1]) == 2
    with pytest.raises(ValidationFailed) as caught:
        batches.correct_row(db, settings, batch, 3, {"pan": "ABCDE1234F", "nonsense": "x"})
    assert set(caught.value.fields) == {"pan", "nonsense"}
    with pytest.raises(ValidationFailed):
        batches.correct_row(db, settings, batch, 99, {"due_date": "30-08-2026"})
    batches.correct_row(
        db, settings, batch, 3, {"due_date": " 30-08-2026 ", "mobile": "+91 99887 76655"}
    )
    assert actions(batch)[3] == ("new complaint", [])
    results = file_all(db, settings, user, batch)
    assert [r["status"] for r in results] == ["filed", "filed"]
    mobiles = set(db.scalars(select(Complaint.debtor_mobile)))
    assert mobiles == {"+919876543210", "+919988776655"}
    assert batch.status is ImportStatus.DONE
    with pytest.raises(InvalidTransition):
        batches.correct_row(db, settings, batch, 2, {"amount": "1"})
    assert db.scalar(select(func.count()).select_from(Complaint)) == 2
