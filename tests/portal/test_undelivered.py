"""Admins see what the outbox could not deliver and send a refused message again (the
debtor must still get its notice: a refused SMS is not silently lost)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from registry import outbox
from registry.channels.transports import channel_from_url
from registry.mailer import FileMailer
from registry.models import AuditEntry, utcnow


def test_an_admin_sees_refused_and_stuck_messages_and_sends_one_again(
    db, factory, auth, client, tmp_path
):
    refused = outbox.queue_text(db, "sms", "notice", "+919812345610", "Notice: you owe")
    refused.failed_at, refused.attempts = utcnow(), 1
    refused.last_error = "HTTP 400: DLT template 1107 not approved"
    stuck = outbox.queue_email(db, "reminder", "debtor@slow.example", "Reminder", "You owe")
    stuck.attempts, stuck.last_error = 4, "SMTPServerDisconnected: connection lost"
    stuck.next_attempt_at = utcnow() + timedelta(hours=1)
    delivered = outbox.queue_email(db, "notice", "debtor@fine.example", "Notice", "You owe")
    delivered.sent_at = utcnow()
    member, admin = factory.member_user(), factory.admin()
    db.commit()
    path = f"/admin/undelivered/{refused.id}/send-again"

    auth.login(member.email)
    assert client.get("/admin/undelivered").status_code in (302, 403, 404)
    assert client.post(path).status_code in (302, 403, 404)
    auth.logout()

    auth.login(admin.email)
    page = client.get("/admin/undelivered").get_data(as_text=True)
    table = page[page.index('id="undelivered"') :]
    assert "+919812345610" in table and "DLT template 1107 not approved" in table
    assert "debtor@slow.example" in table and "still retrying" in table
    assert "debtor@fine.example" not in table
    assert table.count("Send again") == 1  # only the refused one

    assert client.post(path).status_code == 303
    db.expire_all()
    assert refused.failed_at is None and refused.next_attempt_at <= utcnow()
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "send_again"))
    assert entry is not None and "DLT template 1107" in (entry.note or "")
    again = client.post(path, follow_redirects=True)  # queued already: nothing to do
    assert "cannot become queued" in again.get_data(as_text=True)
    assert client.post("/admin/undelivered/999999/send-again").status_code == 404

    sms = channel_from_url("sms", f"file://{tmp_path}/sms")
    outbox.deliver_due(db, FileMailer(tmp_path / "mail"), channels={"sms": sms})
    db.expire_all()
    assert refused.sent_at is not None
    assert len(list((tmp_path / "sms").glob("*.json"))) == 1
