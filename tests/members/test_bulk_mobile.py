"""CSV bulk filing with a mobile column: a row with a mobile and no email is fine, and the
notice goes by SMS and WhatsApp; a bad mobile is an error on its row."""

from __future__ import annotations

from sqlalchemy import select

from registry.models import Complaint, OutboxMessage
from tests.members.conftest import HEADER, gstin, row
from tests.members.test_bulk_import import actions, file_all, upload

WITH_MOBILE = [*HEADER, "Mobile No"]


def test_a_row_with_a_mobile_and_no_email_is_filed_and_texted(db, settings, factory):
    user = factory.member_user()
    batch = upload(
        db,
        settings,
        user,
        [
            [*row(gst=gstin(1), number="A-1", email=""), "98765 43210"],
            [*row(name="Balaji Traders", gst=gstin(2), number="B-1", email=""), "12345"],
            [*row(name="Kaveri Stores", gst=gstin(3), number="K-1", email=""), ""],
        ],
        header=WITH_MOBILE,
    )
    seen = actions(batch)
    assert seen[2] == ("new complaint", [])
    assert seen[3][0] == "error" and "mobile '12345'" in seen[3][1][0]
    results = file_all(db, settings, user, batch)
    assert [r["status"] for r in results] == ["filed", "not filed"]
    assert "no email or mobile" in "; ".join(results[1]["messages"])
    complaint = db.get(Complaint, results[0]["complaint_id"])
    assert complaint.debtor_mobile == "+919876543210" and complaint.debtor_email is None
    channels = db.scalars(
        select(OutboxMessage.channel).where(OutboxMessage.to_address == "+919876543210")
    ).all()
    assert sorted(channels) == ["sms", "sms", "whatsapp"]
