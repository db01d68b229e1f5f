"""The watchlist: alerts by email and in the portal, the portal's buttons, the API."""

from __future__ import annotations

from sqlalchemy import func, select

from registry.actors import SYSTEM, Actor
from registry.complaints import disputes, life
from registry.directory import businesses, merges
from registry.members import watches
from registry.models import ComplaintStatus, Notification, OutboxMessage, Watch
from tests.payments.conftest import bearer

C = ComplaintStatus


def alerts_to(db, email):
    return db.scalars(
        select(OutboxMessage.subject).where(
            OutboxMessage.kind == "watch_alert", OutboxMessage.to_address == email
        )
    ).all()


def test_watchers_are_alerted_when_a_complaint_is_listed_never_while_in_notice(
    db, factory, make_complaint
):
    reporter, watcher, other = factory.member_user(), factory.member_user(), factory.member_user()
    complaint = make_complaint(reporter)  # in notice: private
    watches.watch(db, Actor.of(watcher), complaint.business_id)
    watches.watch(db, Actor.of(reporter), complaint.business_id)  # its own reporter
    assert alerts_to(db, watcher.member.contact_email) == []
    life.transition(db, complaint, C.LISTED, SYSTEM, "notice period over")
    assert alerts_to(db, watcher.member.contact_email) == [
        "Watchlist: A new complaint about Lakshmi Paper Mart was listed."
    ]
    assert alerts_to(db, reporter.member.contact_email) == []  # it knows already
    assert alerts_to(db, other.member.contact_email) == []  # not watching
    life.settle(db, complaint, Actor.of(reporter))
    notes = db.scalars(
        select(Notification.message).where(Notification.member_id == watcher.member_id)
    ).all()
    assert notes == [
        "A new complaint about Lakshmi Paper Mart was listed.",
        "A complaint about Lakshmi Paper Mart was settled.",
    ]
    body = db.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "watch_alert"))
    assert "₹" not in body and reporter.member.name not in body  # no amounts, no reporter


def watcher_notes(db, watcher):
    return db.scalars(
        select(Notification.message)
        .where(Notification.member_id == watcher.member_id)
        .order_by(Notification.id)
    ).all()


def test_a_complaint_first_listed_after_a_rejected_dispute_is_new_to_watchers(
    db, settings, factory, make_complaint
):
    """Disputed in its notice period, then the dispute rejected: that is its first listing,
    and watchers used to read that it was "listed again"."""
    reporter, watcher = factory.member_user(), factory.member_user()
    complaint = make_complaint(reporter)
    watches.watch(db, Actor.of(watcher), complaint.business_id)
    dispute = disputes.open_dispute(
        db, settings, complaint, "not_delivered", "The goods never reached us."
    )
    assert alerts_to(db, watcher.member.contact_email) == []  # still private
    disputes.decide(
        db, dispute, "rejected", "The challan is signed by the buyer.", Actor.of(factory.admin())
    )
    assert alerts_to(db, watcher.member.contact_email) == [
        "Watchlist: A new complaint about Lakshmi Paper Mart was listed."
    ]
    assert watcher_notes(db, watcher) == ["A new complaint about Lakshmi Paper Mart was listed."]


def test_a_listed_complaint_whose_dispute_is_rejected_is_listed_again(
    db, settings, factory, make_complaint
):
    reporter, watcher = factory.member_user(), factory.member_user()
    complaint = make_complaint(reporter, C.LISTED)
    watches.watch(db, Actor.of(watcher), complaint.business_id)
    dispute = disputes.open_dispute(
        db, settings, complaint, "wrong_amount", "Half of the goods were returned."
    )
    disputes.decide(
        db, dispute, "rejected", "No credit note for any return.", Actor.of(factory.admin())
    )
    assert watcher_notes(db, watcher) == [
        "A complaint about Lakshmi Paper Mart is disputed by the business.",
        "A disputed complaint about Lakshmi Paper Mart is listed again: the registry rejected "
        "the dispute.",
    ]


def test_a_withdrawn_complaint_alerts_nobody(db, factory, make_complaint):
    reporter, watcher = factory.member_user(), factory.member_user()
    complaint = make_complaint(reporter)
    watches.watch(db, Actor.of(watcher), complaint.business_id)
    life.withdraw(db, complaint, Actor.of(reporter))
    assert db.scalar(select(func.count()).select_from(Notification)) == 0


def test_watching_twice_keeps_one_watch(db, factory, make_complaint):
    watcher = factory.member_user()
    business_id = make_complaint(factory.member_user()).business_id
    first = watches.watch(db, Actor.of(watcher), business_id)
    again = watches.watch(db, Actor.of(watcher), business_id)
    assert first.created and not again.created and first.watch.id == again.watch.id
    assert db.scalar(select(func.count()).select_from(Watch)) == 1


def test_the_portal_watch_button_alerts_badge_and_unwatch(
    client, auth, db, factory, make_complaint
):
    watcher = factory.member_user()
    complaint = make_complaint(factory.member_user())
    auth.login(watcher.email)
    answer = client.post(
        "/watches", data={"business_id": complaint.business_id, "next": "/search?q=Lakshmi"}
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/search?q=Lakshmi"
    page = client.get("/watches").get_data(as_text=True)
    assert "Lakshmi Paper Mart" in page and "Stop watching" in page
    life.transition(db, complaint, C.LISTED, SYSTEM, "over")
    dashboard = client.get("/").get_data(as_text=True)
    assert 'aria-label="1 unread"' in dashboard
    alerts = client.get("/alerts").get_data(as_text=True)
    assert "A new complaint about Lakshmi Paper Mart was listed." in alerts
    assert client.post("/alerts/read").status_code == 303
    assert "unread" not in client.get("/").get_data(as_text=True)
    watch_id = db.scalar(select(Watch.id))
    assert client.post(f"/watches/{watch_id}/delete").status_code == 303
    assert "not watching any business" in client.get("/watches").get_data(as_text=True)


def test_the_portal_refuses_unknown_businesses_and_others_watches(
    client, auth, db, factory, make_complaint
):
    business_id = make_complaint(factory.member_user()).business_id
    owner = factory.member_user()
    theirs = watches.watch(db, Actor.of(owner), business_id).watch
    auth.login(factory.member_user().email)
    refused = client.post("/watches", data={"business_id": 999999})
    assert refused.status_code == 422 and "not on the registry" in refused.get_data(as_text=True)
    assert client.post(f"/watches/{theirs.id}/delete").status_code == 404
    assert db.get(Watch, theirs.id) is not None


def test_the_watch_api(client, db, factory, make_complaint):
    business_id = make_complaint(factory.member_user()).business_id
    user = factory.member_user()
    key = bearer(factory.api_key(user))
    created = client.post("/api/v1/watches", json={"business_id": business_id}, headers=key)
    assert created.status_code == 201
    body = created.get_json()
    assert body["business_id"] == business_id and body["name"] == "Lakshmi Paper Mart"
    again = client.post("/api/v1/watches", json={"business_id": business_id}, headers=key)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    listed = client.get("/api/v1/watches", headers=key)
    assert listed.status_code == 200 and [w["id"] for w in listed.get_json()] == [body["id"]]
    unknown = client.post("/api/v1/watches", json={"business_id": 987654}, headers=key)
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["fields"] == {"business_id": "no such business"}
    bad = client.post("/api/v1/watches", json={"business_id": "7"}, headers=key)
    assert bad.status_code == 422 and "business_id" in bad.get_json()["error"]["fields"]
    assert client.delete(f"/api/v1/watches/{body['id']}", headers=key).status_code == 204
    assert client.get("/api/v1/watches", headers=key).get_json() == []
    assert client.delete(f"/api/v1/watches/{body['id']}", headers=key).status_code == 404


def test_the_watch_api_hides_other_members_watches(client, db, factory, make_complaint):
    business_id = make_complaint(factory.member_user()).business_id
    owner, stranger = factory.member_user(), factory.member_user()
    theirs = watches.watch(db, Actor.of(owner), business_id).watch
    key = bearer(factory.api_key(stranger))
    assert client.get("/api/v1/watches", headers=key).get_json() == []
    gone = client.delete(f"/api/v1/watches/{theirs.id}", headers=key)
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"
    assert db.get(Watch, theirs.id) is not None
    assert client.get("/api/v1/watches").status_code == 401
    admin_key = bearer(factory.api_key(factory.admin()))
    assert client.get("/api/v1/watches", headers=admin_key).status_code == 404


def test_the_openapi_document_describes_the_watch_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"post", "get"} <= set(spec["paths"]["/api/v1/watches"])
    assert set(spec["paths"]["/api/v1/watches/{watch_id}"]) >= {"delete"}
    assert {"200", "201", "422"} <= set(spec["paths"]["/api/v1/watches"]["post"]["responses"])


def test_watching_a_merged_id_watches_the_surviving_business(db, factory):
    keep = businesses.create(db, SYSTEM, "Agarwal Hardware & Sons", city="Kanpur")
    gone = businesses.create(db, SYSTEM, "Agarwal Hardware and Sons", city="Kanpur")
    merges.merge(db, keep.id, gone.id, Actor.of(factory.admin()))
    watched = watches.watch(db, Actor.of(factory.member_user()), gone.id)
    assert watched.business.id == keep.id and watched.watch.business_id == keep.id
