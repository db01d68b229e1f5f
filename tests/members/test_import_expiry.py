"""An import never filed is removed after a week; started and filed ones are not touched."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from registry import language, worker
from registry.actors import Actor
from registry.bulk import batches, steps
from registry.mailer import FileMailer
from registry.models import AuditEntry, Complaint, ComplaintStatus, ImportStatus, utcnow
from tests.conftest import PDF
from tests.members.conftest import csv_bytes, gstin, row

LEDGER = batches.Document("ledger-extract.pdf", PDF)


def upload(db, settings, user, rows, days_ago=0):
    batch = batches.upload(db, settings, Actor.of(user), "overdue.csv", csv_bytes(rows), [LEDGER])
    batch.created_at = utcnow() - timedelta(days=days_ago)
    db.flush()
    return batch


def two_debtors(prefix):
    return [
        row(gst=gstin(1), number=f"{prefix}-1"),
        row(name="Balaji Traders", gst=gstin(2), number=f"{prefix}-2", email="pay@b.example"),
    ]


def test_only_imports_left_unfiled_past_the_week_are_removed(db, settings, factory):
    user = factory.member_user()
    actor = Actor.of(user)
    abandoned = upload(db, settings, user, two_debtors("OLD"), days_ago=8)
    recent = upload(db, settings, user, two_debtors("NEW"), days_ago=6)
    done = upload(db, settings, user, [row(gst=gstin(3), number="DONE-1")], days_ago=30)
    steps.start(db, actor, done, {})
    steps.file_step(db, settings, actor, done)
    halfway = upload(db, settings, user, two_debtors("HALF"), days_ago=30)
    steps.start(db, actor, halfway, {})
    steps.file_step(db, settings, actor, halfway, step=1)
    db.commit()
    folders = {b.id: batches.folder(settings, b) for b in (abandoned, recent, halfway)}
    filed = set(db.scalars(select(Complaint.id)))
    assert done.status is ImportStatus.DONE and halfway.status is ImportStatus.FILING
    assert len(filed) == 2

    assert batches.expire_abandoned(db, settings) == 1
    db.commit()

    assert abandoned.status is ImportStatus.CANCELLED and batches.expired(db, abandoned)
    assert batches.rows_of(abandoned) == [] and batches.plan_of(abandoned) is None
    assert batches.documents_of(abandoned) == []
    assert not folders[abandoned.id].exists()  # its documents went with the commit
    entry = db.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "import", AuditEntry.entity_id == str(abandoned.id))
        .order_by(AuditEntry.id.desc())
    )
    assert (entry.action, entry.from_state, entry.to_state) == ("expired", "uploaded", "cancelled")
    assert entry.actor_kind == "system" and "not filed within 7 days" in entry.note

    assert recent.status is ImportStatus.UPLOADED and len(batches.rows_of(recent)) == 2
    assert folders[recent.id].is_dir() and not batches.expired(db, recent)
    assert done.status is ImportStatus.DONE and done.filed == 1
    assert halfway.status is ImportStatus.FILING and folders[halfway.id].is_dir()
    assert halfway.cursor == 1 and len(batches.rows_of(halfway)) == 2
    assert set(db.scalars(select(Complaint.id))) == filed
    assert {c.status for c in db.scalars(select(Complaint))} == {ComplaintStatus.IN_NOTICE}
    assert batches.expire_abandoned(db, settings) == 0  # once


def test_a_member_cancelling_in_time_is_not_shown_as_expired(db, settings, factory):
    user = factory.member_user()
    batch = upload(db, settings, user, two_debtors("C"), days_ago=6)
    batches.cancel(db, settings, Actor.of(user), batch)
    assert batch.status is ImportStatus.CANCELLED and not batches.expired(db, batch)
    assert batches.expire_abandoned(db, settings, now=utcnow() + timedelta(days=2)) == 0


def test_a_member_cancelling_after_the_time_is_up_is_not_shown_as_expired(db, settings, factory):
    # the worker has not come round yet: the member's own cancel is what the page shows
    user = factory.member_user()
    batch = upload(db, settings, user, two_debtors("L"), days_ago=8)
    batches.cancel(db, settings, Actor.of(user), batch)
    assert batch.finished_at >= batches.expires_at(batch)
    assert batch.status is ImportStatus.CANCELLED and not batches.expired(db, batch)
    assert batches.expire_abandoned(db, settings) == 0


def test_the_worker_round_expires_abandoned_imports(
    session_factory, db, settings, factory, tmp_path
):
    user = factory.member_user()
    batch = upload(db, settings, user, two_debtors("W"), days_ago=10)
    db.commit()
    result = worker.run_once(session_factory, FileMailer(tmp_path / "mail"), settings)
    assert result.imports_expired == 1
    db.refresh(batch)
    assert batch.status is ImportStatus.CANCELLED
    assert not batches.folder(settings, batch).exists()


def test_the_member_is_told_when_an_import_expires(client, auth, db, factory, settings):
    user = factory.member_user()
    auth.login(user.email)
    answer = client.post(
        "/imports",
        data={
            "file": (io.BytesIO(csv_bytes(two_debtors("P"))), "overdue.csv"),
            "documents": [(io.BytesIO(PDF), "ledger.pdf")],
        },
        content_type="multipart/form-data",
    )
    preview = client.get(answer.headers["Location"]).get_data(as_text=True)
    batch = batches.get_for_member(
        db, int(answer.headers["Location"].split("/")[-1]), user.member_id
    )
    kept_until = language.moment(batches.expires_at(batch))
    assert "Kept until <time" in preview and kept_until in preview
    assert "not filed within 7 days of its upload is removed" in preview

    batches.expire_abandoned(db, settings, now=utcnow() + timedelta(days=7, minutes=1))
    page = client.get(f"/imports/{batch.id}", follow_redirects=True).get_data(as_text=True)
    assert 'id="import-expired"' in page and "was not filed within 7 days" in page
    assert "Continue filing" not in page
