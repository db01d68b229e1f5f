"""Bulk import through the portal: upload, map, preview, file with progress."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from registry.actors import SYSTEM
from registry.bulk import steps
from registry.directory import businesses
from registry.models import Complaint, ImportBatch, ImportStatus
from tests.conftest import PDF
from tests.members.conftest import HEADER, csv_bytes, days_ago, gstin, row


def post_file(client, content, documents=(("ledger.pdf", PDF),), name="overdue.csv"):
    data = {"file": (io.BytesIO(content), name)}
    data["documents"] = [(io.BytesIO(body), filename) for filename, body in documents]
    return client.post("/imports", data=data, content_type="multipart/form-data")


def test_upload_preview_and_file(client, auth, db, factory):
    auth.login(factory.member_user().email)
    assert "Import overdue invoices" in client.get("/imports").get_data(as_text=True)
    content = csv_bytes(
        [
            row(gst=gstin(1), number="A-1"),
            row(gst=gstin(1), number="A-2", amount="₹45,000"),
            row(name="Balaji", gst="27ABCDE1234F1Z5", number="B-1"),
        ]
    )
    answer = post_file(client, content)
    assert answer.status_code == 303
    preview = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "New complaint" in preview and "Invoice added to line 2 (same debtor)" in preview
    assert "GSTIN 27ABCDE1234F1Z5" in preview and "Not filed:" in preview
    assert 'id="ready-count">1<' in preview and "₹1,95,000.00 outstanding" in preview
    assert "shared by every complaint" in preview
    batch = db.scalar(select(ImportBatch))
    filed = client.post(f"/imports/{batch.id}/file")
    assert filed.status_code == 303 and filed.headers["Location"].endswith("/progress")
    progress = client.get(filed.headers["Location"]).get_data(as_text=True)
    assert "1 complaint filed" in progress and 'id="import-done"' in progress
    complaint = db.scalar(select(Complaint))
    assert f"complaint #{complaint.id}" in progress
    assert len(complaint.invoices) == 2 and complaint.amount_outstanding_paise == 195000_00
    again = client.post(f"/imports/{batch.id}/file")  # pressed twice: nothing more happens
    assert again.status_code == 303
    assert db.scalar(select(func.count()).select_from(Complaint)) == 1


def test_a_bad_file_answers_422_with_the_reason(client, auth, db, factory):
    auth.login(factory.member_user().email)
    for content, reason in [
        (b"", "The file is empty."),
        ("Party,Amount\nCafé,1\n".encode("latin-1"), "not UTF-8 text"),
        (b"PK\x03\x04xlsx", "Excel workbook"),
    ]:
        answer = post_file(client, content)
        assert answer.status_code == 422 and reason in answer.get_data(as_text=True)
    missing = client.post("/imports", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "choose the CSV file" in missing.get_data(as_text=True)
    bad_doc = post_file(client, csv_bytes([row(gst=gstin(1))]), documents=[("x.pdf", b"hello")])
    assert bad_doc.status_code == 422 and "not a PDF, PNG or JPEG" in bad_doc.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_mapping_unknown_columns(client, auth, db, factory):
    auth.login(factory.member_user().email)
    header = ["Buyer Co", "Doc", "On", "Payable by", "Sum", "Mail"]
    lines = [["Lakshmi", "Q-1", days_ago(80), days_ago(50), "2,00,000", "a@l.example"]]
    answer = post_file(client, csv_bytes(lines, header=header))
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Choose a column for each required field" in page
    batch = db.scalar(select(ImportBatch))
    refused = client.post(f"/imports/{batch.id}/mapping", data={"debtor_name": "Buyer Co"})
    assert refused.status_code == 422 and "choose the column that holds it" in refused.get_data(
        as_text=True
    )
    mapping = {
        "debtor_name": "Buyer Co",
        "invoice_number": "Doc",
        "invoice_date": "On",
        "due_date": "Payable by",
        "amount": "Sum",
        "email": "Mail",
    }
    saved = client.post(f"/imports/{batch.id}/mapping", data=mapping)
    assert saved.status_code == 303
    preview = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'id="ready-count">1<' in preview
    assert "Columns saved" in preview


def test_large_files_are_filed_in_steps_with_json_progress(client, auth, db, factory):
    auth.login(factory.member_user().email)
    count = steps.STEP + 5
    lines = [row(name=f"Buyer {n}", gst=gstin(n), number=f"N-{n}") for n in range(1, count + 1)]
    post_file(client, csv_bytes(lines))
    batch = db.scalar(select(ImportBatch))
    client.post(f"/imports/{batch.id}/file")
    page = client.get(f"/imports/{batch.id}/progress").get_data(as_text=True)
    assert f"{steps.STEP} of {count} complaints processed" in page
    assert "data-import-step" in page and "Continue filing" in page
    step = client.post(f"/imports/{batch.id}/step", headers={"Accept": "application/json"})
    assert step.get_json() == {
        "status": "done",
        "total": count,
        "done": count,
        "filed": count,
        "failed": 0,
        "percent": 100,
        "finished": True,
    }
    assert db.scalar(select(func.count()).select_from(Complaint)) == count
    done = client.post(f"/imports/{batch.id}/step")  # the no-script button, once more
    assert (
        done.status_code == 303 and db.scalar(select(func.count()).select_from(Complaint)) == count
    )


def test_confirming_a_name_only_debtor_in_the_preview(client, auth, db, factory):
    known = businesses.create(db, SYSTEM, "Balaji Enterprises", city="Pune", state="Maharashtra")
    auth.login(factory.member_user().email)
    post_file(client, csv_bytes([row(name="Balaji Enterprises", city="Pune", number="X-1")]))
    batch = db.scalar(select(ImportBatch))
    preview = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "confirm the business below" in preview
    assert re.search(rf'name="choice-0" value="{known.id}"', preview)
    client.post(f"/imports/{batch.id}/file", data={"choice-0": str(known.id)})
    assert db.scalar(select(Complaint.business_id)) == known.id


def test_another_members_import_is_404_and_cancel_files_nothing(client, auth, db, factory):
    owner = factory.member_user()
    auth.login(owner.email)
    post_file(client, csv_bytes([row(gst=gstin(1))]))
    batch = db.scalar(select(ImportBatch))
    auth.logout()
    auth.login(factory.member_user().email)
    for method, path in [
        ("get", ""),
        ("post", "/file"),
        ("post", "/step"),
        ("post", "/cancel"),
        ("get", "/progress"),
        ("post", "/mapping"),
        ("post", "/documents"),
    ]:
        assert getattr(client, method)(f"/imports/{batch.id}{path}").status_code == 404, path
    auth.logout()
    auth.login(owner.email)
    assert client.post(f"/imports/{batch.id}/cancel").status_code == 303
    db.refresh(batch)
    assert batch.status is ImportStatus.CANCELLED
    assert "cancelled; nothing was filed" in client.get(f"/imports/{batch.id}/progress").get_data(
        as_text=True
    )
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


def test_adding_a_document_in_the_preview(client, auth, db, factory):
    auth.login(factory.member_user().email)
    post_file(client, csv_bytes([row(gst=gstin(1), number="A-77")]), documents=[])
    batch = db.scalar(select(ImportBatch))
    assert "none: add one above" in client.get(f"/imports/{batch.id}").get_data(as_text=True)
    added = client.post(
        f"/imports/{batch.id}/documents",
        data={"documents": [(io.BytesIO(PDF), "A-77.pdf")]},
        content_type="multipart/form-data",
    )
    assert added.status_code == 303
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Documents: A-77.pdf" in page and "for the debtor it names" in page


def test_header_is_as_documented():
    assert HEADER[0] == "Party Name"  # the spelling Tally uses, recognised without mapping
