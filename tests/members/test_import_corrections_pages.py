"""The preview page asks the file's one date question and corrects a bad row in place."""

from __future__ import annotations

from sqlalchemy import select

from registry.models import Complaint, ImportBatch
from tests.members.conftest import csv_bytes, gstin
from tests.members.test_import_pages import post_file

HEADER = ["Party Name", "GSTIN", "Mobile", "Bill No", "Bill Date", "Due Date", "Amount"]


def test_the_date_question_and_a_row_corrected_on_the_page(client, auth, db, factory):
    auth.login(factory.member_user().email)
    lines = [
        ["Lakshmi Paper Mart", gstin(1), "9876543210", "A-1", "04-05-2026", "04-06-2026", "200000"],
        ["Balaji Traders", gstin(2), "12345", "B-1", "03-02-2026", "03-03-2026", "150000"],
    ]
    answer = post_file(client, csv_bytes(lines, header=HEADER))
    preview = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="date-question"' in preview and "day first or month first" in preview
    assert 'id="ready-count">0<' in preview
    batch = db.scalar(select(ImportBatch))
    bad = client.post(f"/imports/{batch.id}/dates", data={"date_order": "ydm"})
    assert bad.status_code == 422
    answered = client.post(f"/imports/{batch.id}/dates", data={"date_order": "dmy"})
    assert answered.status_code == 303
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert 'id="ready-count">1<' in page and 'value="dmy" checked' in page
    assert "Correct this row" in page and 'name="mobile" value="12345"' in page
    fixed = client.post(f"/imports/{batch.id}/rows/3", data={"mobile": "99887 76655"})
    assert fixed.status_code == 303 and fixed.headers["Location"].endswith("#line-3")
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert 'id="ready-count">2<' in page
    refused = client.post(f"/imports/{batch.id}/rows/77", data={"mobile": "99887 76655"})
    assert refused.status_code == 422 and "no line 77" in refused.get_data(as_text=True)
    client.post(f"/imports/{batch.id}/file")
    mobiles = set(db.scalars(select(Complaint.debtor_mobile)))
    assert mobiles == {"+919876543210", "+919988776655"}


def test_the_page_is_in_hindi_too(client, auth, db, factory):
    auth.login(factory.member_user().email)
    lines = [["Lakshmi Paper Mart", gstin(1), "9876543210", "A-1", "04-05-2026", "04-06-2026", "1"]]
    answer = post_file(client, csv_bytes(lines, header=HEADER))
    page = client.get(answer.headers["Location"] + "?lang=hi").get_data(as_text=True)
    assert "यह फ़ाइल 04-05-2026 जैसी तारीख़ें कैसे लिखती है?" in page
