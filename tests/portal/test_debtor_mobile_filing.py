"""The debtor's mobile through the API and the filing form: accepted alone, refused on
its own field when it is not an Indian mobile, and shown in the OpenAPI document."""

import pytest
from sqlalchemy import func, select

from registry.models import Complaint, OutboxMessage
from tests.portal.test_api_complaints import bearer, body
from tests.portal.test_complaint_pages import form_data

MOBILE_ONLY = {"name": "Ganesh Kirana", "city": "Nashik", "mobile": "098765 43210"}


@pytest.fixture
def member_key(factory):
    return factory.api_key(factory.member_user(name="Kaveri Agro"))


def text_channels(db):
    return sorted(
        db.scalars(select(OutboxMessage.channel).where(OutboxMessage.channel != "email")).all()
    )


def test_the_api_files_with_only_a_mobile(client, member_key, db):
    response = client.post(
        "/api/v1/complaints", json=body(debtor=MOBILE_ONLY), headers=bearer(member_key)
    )
    assert response.status_code == 201, response.json
    assert db.scalar(select(Complaint.debtor_mobile)) == "+919876543210"
    assert text_channels(db) == ["sms", "sms", "whatsapp"]


@pytest.mark.parametrize("mobile", ["12345", "+1 202 555 0100", "022 2345 6789"])
def test_the_api_refuses_a_bad_mobile_on_its_field(client, member_key, db, mobile):
    debtor = MOBILE_ONLY | {"mobile": mobile}
    response = client.post(
        "/api/v1/complaints", json=body(debtor=debtor), headers=bearer(member_key)
    )
    assert response.status_code == 422, response.json
    assert set(response.json["error"]["fields"]) == {"debtor.mobile"}
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


def test_the_api_without_email_or_mobile_says_so_on_the_email(client, member_key, db):
    response = client.post(
        "/api/v1/complaints",
        json=body(debtor={"name": "Ganesh Kirana", "city": "Nashik"}),
        headers=bearer(member_key),
    )
    assert response.status_code == 422
    assert "debtor.email" in response.json["error"]["fields"]


def test_openapi_documents_the_mobile(client):
    spec = client.get("/api/v1/openapi.json").json
    debtor = spec["components"]["schemas"]["DebtorIn"]["properties"]
    assert "mobile" in debtor and "+91" in debtor["mobile"]["description"]


def test_the_form_files_with_only_a_mobile(client, auth, factory, db):
    auth.login(factory.member_user().email)
    page = client.get("/complaints/new").get_data(as_text=True)
    assert 'name="debtor_mobile"' in page and 'type="tel"' in page
    data = form_data(debtor_email="", debtor_mobile="9876543210")
    response = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert text_channels(db) == ["sms", "sms", "whatsapp"]


def test_the_form_shows_a_bad_mobile_beside_its_field(client, auth, factory, db):
    auth.login(factory.member_user().email)
    data = form_data(debtor_email="", debtor_mobile="022 2345 6789")
    response = client.post("/complaints/new", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a mobile number" in page
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0
