"""Who looked: every unlock and read of a report is recorded; the business sees the
enquiries about it (name only where the enquirer agreed) and is alerted of an unlock,
at most once a day per enquirer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.actors import SYSTEM
from registry.identifiers import pan_of_gstin
from registry.models import CREDIT_DECISION, ComplaintStatus, OutboxMessage, ReportPull, utcnow
from registry.payments import orders
from registry.reports import inquiries
from tests.conftest import PASSWORD
from tests.payments.conftest import bearer, checkout_object, deliver, event


@pytest.fixture
def scene(db, factory, make_business, make_complaint):
    """A reported business that is itself a member (its own users read who looked), a
    reporter, and two buyers in different industries."""
    own = factory.member_user(name="Lakshmi Paper Mart")
    business = make_business("Lakshmi Paper Mart", pan=pan_of_gstin(own.member.gstin))
    business.email = "accounts@lakshmipaper.example"
    reporter = factory.member_user()
    make_complaint(reporter, business, ComplaintStatus.LISTED)
    steel = factory.member_user(name="Tata Steel Stockists")
    steel.member.industry = "Steel"
    cloth = factory.member_user(name="Surat Cloth House")
    cloth.member.industry = "Textiles"
    db.flush()
    return own, business, steel, cloth


def buy(client, db, factory, user, business):
    key = factory.api_key(user)
    created = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(key)
    ).json
    order = orders.get_for_member(db, created["id"], user.member_id)
    answer = deliver(client, event("checkout.session.completed", checkout_object(order)))
    assert answer.status_code == 200
    return key, order


def alerts(db, business):
    return db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "report_pulled", OutboxMessage.to_address == business.email
        )
    ).all()


def pulls(db, business):
    return db.scalars(
        select(ReportPull).where(ReportPull.business_id == business.id).order_by(ReportPull.id)
    ).all()


def test_unlock_and_api_reads_are_recorded_for_a_credit_decision(client, db, factory, scene):
    _own, business, steel, _cloth = scene
    key, order = buy(client, db, factory, steel, business)
    assert client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).status_code == 200
    assert client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).status_code == 200
    found = pulls(db, business)
    assert [p.kind for p in found] == ["unlock", "api", "api"]
    assert {p.member_id for p in found} == {steel.member_id}
    assert {p.order_id for p in found} == {order.id}
    assert {p.purpose for p in found} == {CREDIT_DECISION}


def test_a_refused_read_records_nothing(client, db, factory, scene):
    _own, business, steel, _cloth = scene
    key = factory.api_key(steel)
    assert client.get(f"/api/v1/reports/{business.id}", headers=bearer(key)).status_code == 402
    assert pulls(db, business) == []


def test_an_unlock_alerts_the_business_once_a_day_per_enquirer(client, db, factory, scene):
    _own, business, steel, cloth = scene
    buy(client, db, factory, steel, business)
    sent = alerts(db, business)
    assert len(sent) == 1
    assert "pulled your credit report" in sent[0].subject
    assert "Tata Steel" not in sent[0].body  # the alert never names the enquirer
    buy(client, db, factory, steel, business)  # the same enquirer again the same day
    assert len(alerts(db, business)) == 1
    buy(client, db, factory, cloth, business)  # another enquirer
    assert len(alerts(db, business)) == 2
    # a day later the first enquirer's next unlock alerts again
    later = utcnow() + timedelta(days=1, minutes=1)
    pull = inquiries.record_pull(db, steel.member_id, business.id, "unlock", later)
    assert pull.alerted and len(alerts(db, business)) == 3
    # reads never alert
    inquiries.record_pull(db, cloth.member_id, business.id, "api", later)
    assert len(alerts(db, business)) == 3


def test_a_business_without_contacts_is_not_alerted_but_the_pull_is_kept(
    db, factory, make_business
):
    business = make_business("No Contact Traders")
    buyer = factory.member_user()
    pull = inquiries.record_pull(db, buyer.member_id, business.id, "unlock", utcnow())
    assert pull.id and not pull.alerted


def test_an_enquirer_is_named_only_when_it_agreed(db, factory, scene):
    _own, business, steel, cloth = scene
    now = utcnow()
    inquiries.record_pull(db, steel.member_id, business.id, "unlock", now)
    inquiries.record_pull(db, steel.member_id, business.id, "pdf", now)
    inquiries.record_pull(db, cloth.member_id, business.id, "page", now)
    found = inquiries.inquiries_for(db, business.id)
    assert len(found) == 2  # one line per enquirer and day
    assert {(i.industry, i.state, i.name) for i in found} == {
        ("Steel", "Maharashtra", None),
        ("Textiles", "Maharashtra", None),
    }
    inquiries.set_named(db, SYSTEM, cloth.member, True)
    found = inquiries.inquiries_for(db, business.id)
    assert {i.name for i in found} == {None, "Surat Cloth House"}
    steel_line = next(i for i in found if i.industry == "Steel")
    assert set(steel_line.kinds) == {"unlock", "pdf"} and steel_line.on == now.date()


def test_the_business_sees_who_looked_in_the_portal(client, auth, db, factory, scene):
    own, business, steel, cloth = scene
    buy(client, db, factory, steel, business)
    buy(client, db, factory, cloth, business)
    cloth.member.named_in_inquiries = True
    db.flush()
    auth.login(own.email, PASSWORD)
    page = client.get("/account/who-looked")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Surat Cloth House" in text and "Textiles" in text
    assert "Steel" in text and "Maharashtra" in text
    assert "Tata Steel Stockists" not in text  # not agreed to be named
    assert "credit decision" in text


def test_a_member_chooses_to_be_named_in_the_portal(client, auth, db, factory, scene):
    own, business, steel, _cloth = scene
    inquiries.record_pull(db, steel.member_id, business.id, "unlock", utcnow())
    auth.login(steel.email, PASSWORD)
    assert not steel.member.named_in_inquiries
    answer = client.post("/account/who-looked", data={"named": "yes"})
    assert answer.status_code == 303
    db.refresh(steel.member)
    assert steel.member.named_in_inquiries
    bad = client.post("/account/who-looked", data={"named": "everyone"})
    assert bad.status_code == 422
    auth.logout()
    auth.login(own.email, PASSWORD)
    assert "Tata Steel Stockists" in client.get("/account/who-looked").get_data(as_text=True)


def test_another_business_sees_nothing_of_these_pulls(client, auth, db, factory, scene):
    _own, business, steel, _cloth = scene
    steel.member.named_in_inquiries = True
    inquiries.record_pull(db, steel.member_id, business.id, "unlock", utcnow())
    outsider = factory.member_user()
    auth.login(outsider.email, PASSWORD)
    text = client.get("/account/who-looked").get_data(as_text=True)
    assert "Tata Steel Stockists" not in text and "Steel" not in text


def test_admins_see_the_pull_log_members_do_not(client, auth, db, factory, scene):
    _own, business, steel, _cloth = scene
    inquiries.record_pull(db, steel.member_id, business.id, "unlock", utcnow())
    auth.login(steel.email, PASSWORD)
    assert client.get("/admin/report-pulls").status_code in (403, 404)
    auth.logout()
    admin = factory.admin()
    auth.login(admin.email, PASSWORD)
    page = client.get(f"/admin/report-pulls?business_id={business.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tata Steel Stockists" in text and "Lakshmi Paper Mart" in text and "unlock" in text
