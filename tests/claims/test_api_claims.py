"""Claiming a business through the API: a code to a contact on record from an
authoritative source only, five wrong codes end the claim, and the business token opens
the business's own routes and no member's."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from registry.models import BusinessClaim, BusinessToken, OutboxMessage, ReportOrder, utcnow
from registry.models import OrderStatus as O


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def sent_codes(db):
    rows = db.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "claim_code").order_by(OutboxMessage.id)
    ).all()
    return [(row.channel, row.to_address, re.search(r"\b(\d{6})\b", row.body)[1]) for row in rows]


@pytest.fixture
def listed(db, make_business):
    business = make_business("Kesar Exports")
    business.email = "accounts@kesar.example"
    business.mobile = "+919876543210"
    business.contacts_source = "import"
    db.flush()
    return business


def claim(client, **body):
    return client.post("/api/v1/claims", json=body)


def token_for(client, db, business_id):
    started = claim(client, business_id=business_id).get_json()
    code = sent_codes(db)[-1][2]
    answer = client.post(f"/api/v1/claims/{started['claim_id']}/verify", json={"code": code})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["access_token"]


def test_the_code_goes_to_the_contact_on_record_only(client, db, listed):
    typed = claim(client, business_id=listed.id, email="attacker@example.com")
    assert typed.status_code == 422 and "email" in typed.get_json()["error"]["fields"]
    assert sent_codes(db) == []
    answer = claim(client, business_id=listed.id)
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["sent_to"] == "a***@kesar.example"
    [(channel, to, _code)] = sent_codes(db)
    assert (channel, to) == ("email", "accounts@kesar.example")


def test_a_claim_by_gstin_and_by_sms(client, db, listed):
    gstin = listed.gstins[0].gstin
    answer = claim(client, gstin=gstin, channel="sms")
    assert answer.status_code == 202
    assert answer.get_json()["sent_to"] == "+91******10"
    assert sent_codes(db)[0][:2] == ("sms", "+919876543210")


def test_the_code_is_stored_hashed(client, db, listed):
    started = claim(client, business_id=listed.id).get_json()
    code = sent_codes(db)[0][2]
    row = db.get(BusinessClaim, started["claim_id"])
    assert row.code_hash and code not in row.code_hash


def test_a_reporter_given_email_is_no_contact_on_record(client, db, make_business):
    business = make_business("Tulsi Traders")
    business.email = "first-filer@rival.example"  # an email from a filing, before 0019
    db.flush()
    answer = claim(client, business_id=business.id)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "no_verified_contact"
    assert sent_codes(db) == []


def test_no_such_business_and_bad_input(client, db, listed):
    assert claim(client, business_id=999999).status_code == 404
    assert claim(client).status_code == 422
    assert claim(client, gstin="27ABCDE").status_code == 422
    assert claim(client, business_id=listed.id, channel="fax").status_code == 422
    assert claim(client, business_id="1; drop table").status_code == 422


def test_verify_gives_a_token_for_the_business_routes(client, db, listed, factory):
    token = token_for(client, db, listed.id)
    me = client.get("/api/v1/me/business", headers=bearer(token))
    assert me.status_code == 200
    body = me.get_json()
    assert body["business"]["business_id"] == listed.id
    assert body["email"] == "accounts@kesar.example"
    stored = db.scalars(select(BusinessToken.token_hash)).all()
    assert token not in stored and len(stored) == 1


def test_the_whole_file_is_free_and_shaped_like_the_paid_report(
    client, db, listed, factory, make_complaint
):
    other = factory.member_user(name="Honest Supplier Co")
    make_complaint(other, listed, invoices=((90, 7_77_777_00, 0),))
    token = token_for(client, db, listed.id)
    report = client.get("/api/v1/me/business/report", headers=bearer(token))
    assert report.status_code == 200
    body = report.get_json()
    assert body["business"]["business_id"] == listed.id
    assert {"score", "complaints", "generated_at"} <= body.keys()
    assert [c["outstanding_paise"] for c in body["complaints"]] == [7_77_777_00]


def test_inquiries_name_the_industry_not_the_member(client, db, listed, factory):
    from registry.reports import inquiries

    puller = factory.member_user(name="Curious Buyer Ltd")
    named = factory.member_user(name="Open Book Traders")
    named.member.named_in_inquiries = True
    order = ReportOrder(
        member_id=puller.member_id,
        user_id=puller.id,
        business_id=listed.id,
        status=O.PAID,
        amount_paise=49900,
        currency="INR",
        paid_at=utcnow(),
    )
    db.add(order)
    db.flush()
    # an unlock and two reads by one member on one day are one line; another member's is another
    for kind in ("unlock", "page", "pdf"):
        inquiries.record_pull(db, puller.member_id, listed.id, kind, utcnow(), order.id)
    inquiries.record_pull(db, named.member_id, listed.id, "api", utcnow())
    db.flush()
    token = token_for(client, db, listed.id)
    answer = client.get("/api/v1/me/business/inquiries", headers=bearer(token))
    assert answer.status_code == 200 and answer.headers["X-Total-Count"] == "2"
    rows = answer.get_json()
    assert {row["member"] for row in rows} == {None, "Open Book Traders"}
    assert all(row["industry"] == puller.member.industry for row in rows)
    assert all(row["state"] == "Maharashtra" for row in rows)  # the members' GSTINs: 27
    assert "Curious" not in str(rows)


def test_wrong_codes_answer_422_and_five_end_the_claim(client, db, listed):
    started = claim(client, business_id=listed.id).get_json()
    code = sent_codes(db)[0][2]
    wrong = "000000" if code != "000000" else "111111"
    url = f"/api/v1/claims/{started['claim_id']}/verify"
    for _ in range(5):
        answer = client.post(url, json={"code": wrong})
        assert answer.status_code == 422
        assert answer.get_json()["error"]["fields"] == {"code": "this code is not right"}
    # The right code no longer helps: the claim has ended.
    assert client.post(url, json={"code": code}).status_code == 404
    assert db.get(BusinessClaim, started["claim_id"]).status == "ended"
    assert db.scalars(select(BusinessToken)).all() == []


def test_a_code_works_once(client, db, listed):
    started = claim(client, business_id=listed.id).get_json()
    code = sent_codes(db)[0][2]
    url = f"/api/v1/claims/{started['claim_id']}/verify"
    assert client.post(url, json={"code": code}).status_code == 200
    assert client.post(url, json={"code": code}).status_code == 404


def test_an_expired_code_opens_nothing(client, db, listed):
    started = claim(client, business_id=listed.id).get_json()
    code = sent_codes(db)[0][2]
    row = db.get(BusinessClaim, started["claim_id"])
    row.expires_at = utcnow()
    db.flush()
    answer = client.post(f"/api/v1/claims/{started['claim_id']}/verify", json={"code": code})
    assert answer.status_code == 404


def test_a_business_token_opens_no_member_route_and_no_key_opens_the_business_routes(
    client, db, listed, factory
):
    token = token_for(client, db, listed.id)
    for path in (
        "/api/v1/me",
        "/api/v1/complaints",
        "/api/v1/watches",
        f"/api/v1/reports/{listed.id}",
    ):
        assert client.get(path, headers=bearer(token)).status_code == 401, path
    key = factory.api_key(factory.member_user())
    for path in ("/api/v1/me/business", "/api/v1/me/business/report"):
        assert client.get(path, headers=bearer(key)).status_code == 401
        assert client.get(path).status_code == 401
        assert client.get(path, headers=bearer("kb_guess")).status_code == 401


def test_another_business_token_sees_its_own_business_only(client, db, listed, make_business):
    other = make_business("Someone Else Pvt Ltd")
    other.email = "owner@else.example"
    other.contacts_source = "import"
    db.flush()
    token = token_for(client, db, other.id)
    body = client.get("/api/v1/me/business", headers=bearer(token)).get_json()
    assert body["business"]["business_id"] == other.id != listed.id


def test_a_new_code_ends_the_earlier_one(client, db, listed):
    first = claim(client, business_id=listed.id).get_json()
    first_code = sent_codes(db)[-1][2]
    claim(client, business_id=listed.id)
    answer = client.post(f"/api/v1/claims/{first['claim_id']}/verify", json={"code": first_code})
    assert answer.status_code == 404


def test_one_business_gets_at_most_five_codes_an_hour(client, db, listed):
    for _ in range(5):
        assert claim(client, business_id=listed.id).status_code == 202
    refused = claim(client, business_id=listed.id)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert len(sent_codes(db)) == 5


def test_claims_are_rate_limited_per_address(settings, session_factory, db, make_business):
    from tests.conftest import build_app

    app = build_app(settings.but(ratelimit_enabled=True), session_factory, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    answers = [
        client.post(f"/api/v1/claims/{n}/verify", json={"code": "123456"}).status_code
        for n in range(1, 32)
    ]
    assert answers[:30] == [404] * 30 and answers[30] == 429
