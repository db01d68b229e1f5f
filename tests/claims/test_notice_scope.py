"""Attack 1 of issue 17: a member files against a known business with its own address as
the debtor's email, opens the notice link and reads every other member's complaint. A
notice link opens its own complaint only."""

from __future__ import annotations

import base64
from datetime import date, timedelta

from sqlalchemy import select

from registry.complaints.notices import links
from registry.models import Complaint, OutboxMessage
from tests.conftest import PDF

TODAY = date.today()


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def filing_body(business_id, email, number="SPY-1"):
    return {
        "debtor": {"name": "", "business_id": business_id, "email": email},
        "invoices": [
            {
                "number": number,
                "invoice_date": str(TODAY - timedelta(days=80)),
                "due_date": str(TODAY - timedelta(days=50)),
                "amount_paise": 1000_00,
            }
        ],
        "evidence": [{"filename": "x.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }


def spy_files(client, db, factory, settings, business):
    key = factory.api_key(factory.member_user(name="Nosy Rival Traders"))
    answer = client.post(
        "/api/v1/complaints",
        json=filing_body(business.id, "spy@rival.example"),
        headers=bearer(key),
    )
    assert answer.status_code == 201, answer.get_json()
    complaint = db.get(Complaint, answer.get_json()["id"])
    token = links.issue_token(complaint, settings.secret_key)
    db.flush()
    return token


def test_the_notice_link_does_not_open_the_whole_file(
    client, db, factory, settings, make_business, make_complaint
):
    business = make_business("Kesar Exports", aliases=("Kesar Exports",))
    other = factory.member_user(name="Honest Supplier Co")
    make_complaint(other, business, invoices=((90, 7_77_777_00, 0),))
    token = spy_files(client, db, factory, settings, business)

    assert client.get(f"/notice/{token}/report").status_code == 404
    page = client.get(f"/notice/{token}").get_data(as_text=True)
    assert "Honest Supplier Co" not in page and "7,77,777" not in page
    assert "/claim" in page  # the debtor's way to its whole file
    api = client.get(f"/api/v1/notices/{token}").get_json()
    assert "Honest Supplier Co" not in str(api) and str(7_77_777_00) not in str(api)


def test_the_notice_link_still_opens_its_own_complaint(
    client, db, factory, settings, make_business
):
    business = make_business("Kesar Exports")
    token = spy_files(client, db, factory, settings, business)
    page = client.get(f"/notice/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Nosy Rival Traders" in text and "SPY-1" in text
    assert db.scalar(select(Complaint.id).where(Complaint.business_id == business.id))


def test_a_reporter_given_mobile_gets_this_notice_only(client, db, factory, make_business):
    business = make_business("Kesar Exports")
    first = factory.api_key(factory.member_user())
    body = filing_body(business.id, None, "M-1")
    body["debtor"].pop("email")
    body["debtor"]["mobile"] = "98111 22233"
    answer = client.post("/api/v1/complaints", json=body, headers=bearer(first))
    assert answer.status_code == 201, answer.get_json()
    second = factory.api_key(factory.member_user())
    refused = client.post(
        "/api/v1/complaints", json=filing_body(business.id, None, "M-2"), headers=bearer(second)
    )
    assert refused.status_code == 422
    assert "debtor.email" in refused.get_json()["error"]["fields"]
    texts = db.scalars(
        select(OutboxMessage.channel).where(OutboxMessage.to_address == "+919811122233")
    ).all()
    assert sorted(texts) == ["sms", "sms", "whatsapp"]


def test_a_bad_mobile_is_a_clear_422(client, factory, make_business):
    business = make_business("Kesar Exports")
    key = factory.api_key(factory.member_user())
    body = filing_body(business.id, "a@b.example")
    body["debtor"]["mobile"] = "020 2612 3456"  # a landline
    answer = client.post("/api/v1/complaints", json=body, headers=bearer(key))
    assert answer.status_code == 422
    assert "debtor.mobile" in answer.get_json()["error"]["fields"]
