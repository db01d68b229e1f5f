"""Withdrawing a complaint and merging two businesses need a ticked confirmation (a
plain checkbox: no JavaScript needed); without it nothing changes. A settled complaint
reads "settled, nothing outstanding". Admins refresh the duplicates queue with a button."""

from __future__ import annotations

from sqlalchemy import select

from registry.actors import Actor
from registry.complaints import filing
from registry.directory import businesses, duplicates
from registry.models import AuditEntry, ComplaintStatus, DuplicatePair
from tests.conftest import filing_request
from tests.search.test_search_api_and_pages import seed


def test_withdrawing_needs_the_confirmation_ticked(client, auth, factory, db, settings):
    user = factory.member_user()
    complaint = filing.file_complaint(db, settings, Actor.of(user), filing_request()).complaint
    auth.login(user.email)
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert 'name="confirm" value="yes" required' in page
    unconfirmed = client.post(f"/complaints/{complaint.id}/withdraw")
    assert unconfirmed.status_code == 303
    shown = client.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    assert "Tick the box to confirm the withdrawal." in shown
    db.refresh(complaint)
    assert complaint.status is ComplaintStatus.IN_NOTICE
    done = client.post(f"/complaints/{complaint.id}/withdraw", data={"confirm": "yes"})
    assert done.status_code == 302
    db.refresh(complaint)
    assert complaint.status is ComplaintStatus.WITHDRAWN


def test_a_settled_complaint_reads_nothing_outstanding(client, auth, factory, db, settings):
    user = factory.member_user()
    complaint = filing.file_complaint(db, settings, Actor.of(user), filing_request()).complaint
    auth.login(user.email)
    client.post(f"/complaints/{complaint.id}/settle", data={"note": "paid by NEFT"})
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "Settled, nothing outstanding." in page
    assert "Outstanding <strong>" not in page
    hindi = client.get(f"/complaints/{complaint.id}?lang=hi").get_data(as_text=True)
    assert "निपटाई गई, कुछ बकाया नहीं।" in hindi


def test_merging_needs_the_confirmation_ticked(client, auth, factory, db):
    a, b, _ = seed(db)
    duplicates.refresh(db)
    auth.login(factory.admin().email)
    page = client.get("/admin/duplicates").get_data(as_text=True)
    assert page.count('name="confirm" value="yes" required') >= 2
    pair_id = duplicates.open_pairs(db)[0].id
    unconfirmed = client.post(f"/admin/duplicates/{pair_id}/merge", data={"keep": "a"})
    assert unconfirmed.status_code == 303
    assert "Tick the box to confirm the merge." in client.get("/admin/duplicates").text
    db.expire_all()
    assert businesses.get(db, b.id).id == b.id  # not merged
    done = client.post(f"/admin/duplicates/{pair_id}/merge", data={"keep": "a", "confirm": "yes"})
    assert done.status_code == 302
    db.expire_all()
    assert businesses.get(db, b.id).id == a.id


def test_an_admin_runs_find_duplicates_from_the_queue_page(client, auth, factory, db):
    seed(db)
    admin = factory.admin()
    auth.login(admin.email)
    page = client.get("/admin/duplicates").get_data(as_text=True)
    assert "No open pairs." in page and "Find duplicates now" in page
    assert client.get("/admin/duplicates/find").status_code == 405  # a POST only
    response = client.post("/admin/duplicates/find")
    assert response.status_code == 303
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Found 1 probable pairs; 1 wait in the queue." in shown
    assert "Aravalli Saree Private Limited" in shown
    assert db.scalars(select(DuplicatePair)).all()
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "duplicate_queue")).one()
    assert entry.actor_user_id == admin.id and entry.note.startswith("1 probable pairs found")


def test_members_cannot_run_find_duplicates(client, auth, factory, db):
    seed(db)
    auth.login(factory.member_user().email)
    assert client.post("/admin/duplicates/find").status_code in (403, 404)
    assert not db.scalars(select(DuplicatePair)).all()
