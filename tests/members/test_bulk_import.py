"""Bulk filing from a CSV as a service: preview, evidence, filing in steps, no half-filing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from registry.actors import SYSTEM, Actor
from registry.bulk import batches, steps
from registry.complaints import filing
from registry.directory import businesses
from registry.errors import InvalidTransition, ValidationFailed
from registry.models import (
    AuditEntry,
    ColumnMapping,
    Complaint,
    ImportBatch,
    ImportStatus,
    Invoice,
)
from tests.conftest import PDF, PNG, filing_request
from tests.members.conftest import TODAY, csv_bytes, days_ago, gstin, row

LEDGER = batches.Document("ledger-extract.pdf", PDF)


def upload(db, settings, user, rows, documents=(LEDGER,), **kwargs):
    return batches.upload(
        db, settings, Actor.of(user), "overdue.csv", csv_bytes(rows, **kwargs), list(documents)
    )


def file_all(db, settings, user, batch, choices=None, step=steps.STEP):
    steps.start(db, Actor.of(user), batch, choices or {})
    while batch.status is ImportStatus.FILING:
        steps.file_step(db, settings, Actor.of(user), batch, step=step)
    return batches.results_of(batch)


def actions(batch):
    return {r["line"]: (r["action"], r["errors"]) for r in batches.plan_of(batch)["rows"]}


def test_rows_are_checked_one_by_one_and_grouped_by_debtor(db, settings, factory):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [
            row(gst=gstin(1), number="A-1"),
            row(gst=gstin(1), number="A-2", amount="₹ 20,000"),
            row(name="Balaji Traders", gst=gstin(2), number="B-1", email="pay@balaji.example"),
            row(name="Balaji Traders", gst=gstin(2), number="B-2", due=-5),
            row(name="Kaveri Stores", gst=gstin(3), number="K-1", amount="12.345"),
            row(name="Grand Total", number="", amount="3,00,000"),
        ],
    )
    seen = actions(batch)
    assert seen[2] == ("new complaint", [])
    assert seen[3] == ("added", [])
    assert seen[4] == ("new complaint", [])
    assert seen[5][0] == "error" and "is not past yet" in seen[5][1][0]
    assert seen[6][0] == "error" and "more than two decimals" in seen[6][1][0]
    assert seen[7][0] == "skipped"
    summary = steps.summary(batches.plan_of(batch), batches.documents_of(batch))
    assert (summary["complaints"], summary["error_rows"], summary["skipped_rows"]) == (2, 2, 1)
    assert summary["outstanding_paise"] == 150000_00 + 20000_00 + 150000_00
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0  # a preview files nothing


def test_good_groups_are_filed_whole_and_bad_rows_never_block_them(db, settings, factory):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [
            row(gst=gstin(1), number="A-1", paid="50,000"),
            row(gst=gstin(1), number="A-2", invoiced=200, due=170, amount="80000"),
            row(name="Balaji Traders", gst=gstin(2), number="B-1", email=""),
            row(name="Kaveri Stores", gst=gstin(3), number="K-1", invoiced=10, due=20),
        ],
    )
    results = file_all(db, settings, user, batch)
    assert batch.status is ImportStatus.DONE and (batch.filed, batch.failed) == (1, 0)
    assert [r["status"] for r in results] == ["filed", "not filed"]
    assert "no email or mobile for the debtor's notice" in "; ".join(results[1]["messages"])
    complaint = db.get(Complaint, results[0]["complaint_id"])
    assert complaint.status.value == "in_notice" and complaint.member_id == user.member_id
    assert sorted(i.number for i in complaint.invoices) == ["A-1", "A-2"]
    assert complaint.amount_outstanding_paise == 100000_00 + 80000_00
    assert [e.original_name for e in complaint.evidence] == ["ledger-extract.pdf"]
    assert db.scalar(select(func.count()).select_from(Complaint)) == 1
    assert (
        db.scalar(
            select(AuditEntry.note).where(
                AuditEntry.entity_type == "complaint", AuditEntry.action == "imported"
            )
        )
        == f"bulk import #{batch.id}, lines 2, 3"
    )


def test_documents_go_to_the_debtor_they_name_others_to_every_complaint(db, settings, factory):
    user = factory.member_user()
    docs = [
        batches.Document("A-1001.pdf", PDF),
        batches.Document(f"{gstin(2)}.png", PNG),
        batches.Document("terms-of-trade.pdf", PDF),
    ]
    batch = upload(
        db,
        settings,
        user,
        [row(gst=gstin(1), number="A-1001"), row(name="Balaji", gst=gstin(2), number="B-9")],
        documents=docs,
    )
    results = file_all(db, settings, user, batch)
    names = [
        sorted(e.original_name for e in db.get(Complaint, r["complaint_id"]).evidence)
        for r in results
    ]
    assert names == [
        ["A-1001.pdf", "terms-of-trade.pdf"],
        [f"{gstin(2)}.png", "terms-of-trade.pdf"],
    ]


def test_a_debtor_without_a_document_is_not_filed(db, settings, factory):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [row(gst=gstin(1), number="A-1001"), row(name="Balaji", gst=gstin(2), number="B-9")],
        documents=[batches.Document("A-1001.pdf", PDF)],
    )
    summary = steps.summary(batches.plan_of(batch), batches.documents_of(batch))
    assert summary["without_documents"] == 1 and summary["complaints"] == 1
    results = file_all(db, settings, user, batch)
    assert results[1] == {"status": "not filed", "messages": ["no document for this debtor"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        ("Party,Bill\nCafé,1\n".encode("cp1252"), "not UTF-8 text"),
        (b"Party,Bill\n", "no invoice rows"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(db, settings, factory, content, message):
    user = factory.member_user()
    with pytest.raises(ValidationFailed) as refused:
        batches.upload(db, settings, Actor.of(user), "x.csv", content, [LEDGER])
    assert message in refused.value.fields["file"]
    assert db.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_a_bad_document_is_refused_and_no_file_is_kept(db, settings, factory):
    user = factory.member_user()
    with pytest.raises(ValidationFailed) as refused:
        upload(
            db,
            settings,
            user,
            [row(gst=gstin(1))],
            documents=[batches.Document("x.pdf", b"MZ\x90")],
        )
    assert "not a PDF, PNG or JPEG" in refused.value.fields["documents.0"]
    assert not list((settings.instance_path / "imports").glob("*/*"))


def test_missing_columns_leave_the_preview_empty_until_mapped(db, settings, factory):
    user = factory.member_user()
    header = ["Customer", "Ref", "Dt", "Due", "Value"]
    lines = [["Lakshmi Paper Mart", "R-1", days_ago(90), days_ago(60), "1,20,000"]]
    batch = batches.upload(
        db, settings, Actor.of(user), "x.csv", csv_bytes(lines, header=header), [LEDGER]
    )
    assert batches.plan_of(batch) is None
    with pytest.raises(ValidationFailed) as refused:
        batches.set_mapping(db, settings, batch, {"debtor_name": "Customer"})
    assert set(refused.value.fields) == {"invoice_number", "invoice_date", "due_date", "amount"}
    mapping = {
        "debtor_name": "Customer",
        "invoice_number": "Ref",
        "invoice_date": "Dt",
        "due_date": "Due",
        "amount": "Value",
    }
    batches.set_mapping(db, settings, batch, mapping)
    assert actions(batch)[2][0] == "error"  # mapped, but no email for the notice
    assert json.loads(db.scalar(select(ColumnMapping.mapping))) == mapping
    again = batches.upload(
        db, settings, Actor.of(user), "y.csv", csv_bytes(lines, header=header), [LEDGER]
    )
    assert batches.mapping_of(again) == mapping and batches.plan_of(again) is not None


def test_a_known_debtor_and_an_invoice_already_reported(db, settings, factory):
    user = factory.member_user()
    earlier = filing.file_complaint(db, settings, Actor.of(user), filing_request()).complaint
    known = earlier.business.gstins[0].gstin
    batch = upload(
        db,
        settings,
        user,
        [row(gst=known, number="LP/2026/101"), row(gst=known, number="LP/2026/102")],
    )
    seen = actions(batch)
    assert seen[2] == (
        "error",
        [f"invoice LP/2026/101 is already reported (complaint #{earlier.id})"],
    )
    group = batches.plan_of(batch)["groups"][0]
    assert group["resolution"]["kind"] == "known"
    assert group["resolution"]["business_id"] == earlier.business_id
    results = file_all(db, settings, user, batch)
    assert db.get(Complaint, results[0]["complaint_id"]).business_id == earlier.business_id


def test_steps_file_in_chunks_and_a_stale_step_files_nothing(db, settings, factory):
    user = factory.member_user()
    lines = [row(name=f"Buyer {n}", gst=gstin(n), number=f"N-{n}") for n in range(1, 6)]
    batch = upload(db, settings, user, lines)
    steps.start(db, Actor.of(user), batch, {})
    first = steps.file_step(db, settings, Actor.of(user), batch, step=2)
    assert (first.done, first.total, first.filed, first.percent) == (2, 5, 2, 40)
    set_committed_value(batch, "cursor", 0)  # as a second tab read it before the first step
    stale = steps.file_step(db, settings, Actor.of(user), batch, step=2)
    assert stale.done == 2 and db.scalar(select(func.count()).select_from(Complaint)) == 2
    while batch.status is ImportStatus.FILING:
        steps.file_step(db, settings, Actor.of(user), batch, step=2)
    assert (batch.filed, batch.failed) == (5, 0)
    assert db.scalar(select(func.count()).select_from(Invoice)) == 5


def test_a_complaint_failing_at_filing_keeps_the_files_of_those_before(db, settings, factory):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [row(gst=gstin(1), number="A-1"), row(name="Balaji", gst=gstin(2), number="B-1")],
    )
    steps.start(db, Actor.of(user), batch, {})
    # Between the preview and the filing, B-1 gets reported another way.
    filing.file_complaint(
        db,
        settings,
        Actor.of(user),
        filing_request(
            debtor=filing_request().debtor.__class__(
                name="Balaji", gstin=gstin(2), email="b@b.example"
            ),
            invoices=[
                filing.InvoiceIn(
                    "B-1", TODAY - timedelta(days=90), TODAY - timedelta(days=60), 300000_00
                )
            ],
        ),
    )
    steps.file_step(db, settings, Actor.of(user), batch)
    results = batches.results_of(batch)
    assert results[1]["status"] == "failed" and "already reported invoice B-1" in "; ".join(
        results[1]["messages"]
    )
    kept = db.get(Complaint, results[0]["complaint_id"]).evidence[0]
    assert (settings.uploads_path / kept.stored_name).read_bytes() == PDF


def test_finishing_removes_the_import_folder_once_committed(db, settings, factory):
    user = factory.member_user()
    batch = upload(db, settings, user, [row(gst=gstin(1))])
    folder = batches.folder(settings, batch)
    assert len(list(folder.iterdir())) == 1
    file_all(db, settings, user, batch)
    assert folder.exists()  # not before the transaction commits
    db.commit()
    assert not folder.exists()


def test_a_name_only_debtor_close_to_a_known_business_must_be_confirmed(db, settings, factory):
    user = factory.member_user()
    known = businesses.create(db, SYSTEM, "Balaji Enterprises", city="Pune", state="Maharashtra")
    batch = upload(db, settings, user, [row(name="Balaji Enterprises", city="Pune", number="X-1")])
    group = batches.plan_of(batch)["groups"][0]
    assert group["resolution"]["kind"] == "confirm"
    assert [c["business_id"] for c in group["resolution"]["candidates"]] == [known.id]
    with pytest.raises(ValidationFailed, match="no complaint is ready"):
        steps.start(db, Actor.of(user), batch, {0: "999999"})  # not one of those offered
    results = file_all(db, settings, user, batch, choices={0: str(known.id)})
    assert db.get(Complaint, results[0]["complaint_id"]).business_id == known.id


@pytest.mark.parametrize(
    ("filename", "names_it"),
    [
        ("INV 101.pdf", True),
        ("101.pdf", True),
        ("ledger-2101.pdf", False),
        ("LP-2026-101 copy.pdf", True),
        ("LP2026101.pdf", True),
        (f"{gstin(4)}-ledger.pdf", True),
        ("Lakshmi Paper Mart ledger.pdf", True),
        ("statement.pdf", False),
    ],
)
def test_which_documents_name_a_debtor(filename, names_it):
    groups = [
        {
            "invoices": [{"number": "101"}, {"number": "LP/2026/101"}],
            "debtor": {"gstin": gstin(4), "name": "Lakshmi Paper Mart"},
        }
    ]
    own, shared = batches.assign_documents(groups, [{"name": filename}])
    assert (own == [[0]]) is names_it and (shared == [0]) is not names_it


def test_an_import_moved_on_since_it_was_read_is_not_started(db, settings, factory):
    user = factory.member_user()
    batch = upload(db, settings, user, [row(gst=gstin(1), number="R-1")])
    # As if the worker expired it (or a second tab started it) after this request read it.
    db.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id)
        .values(status=ImportStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    assert batch.status is ImportStatus.UPLOADED  # what this request still believes
    with pytest.raises(InvalidTransition):
        steps.start(db, Actor.of(user), batch, {})
    assert batch.status is ImportStatus.CANCELLED and batch.total == 0
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_preview_stored_before_messages_kept_their_values_still_reads(db, settings, factory):
    """An import previewed by the release before ("added to line N", one message per
    outcome) reads as it did."""
    import json

    rows = [row(gst=gstin(1), number="A-1"), row(gst=gstin(1), number="A-2")]
    batch = upload(db, settings, factory.member_user(), rows)
    plan = json.loads(batch.plan)
    for entry in plan["rows"]:
        if entry["action"] == "added":
            entry["action"] = f"added to line {entry.pop('first_line')}"
    batch.plan = json.dumps(plan)
    batch.results = json.dumps([{"status": "not filed", "message": "no document for this debtor"}])
    seen = batches.plan_of(batch)["rows"]
    assert [(r["action"], r.get("first_line")) for r in seen][-1] == ("added", 2)
    assert batches.results_of(batch) == [
        {"status": "not filed", "messages": ["no document for this debtor"]}
    ]
