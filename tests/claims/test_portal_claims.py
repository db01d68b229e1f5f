"""Claiming a business in the portal: from the notice page, a code to the contact on
record, a business session with the whole file and its own contacts; documents for an
admin where no contact exists; a member sees its own business's file."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from registry.complaints.notices import links
from registry.identifiers import gstin_for
from registry.models import AuditEntry, Business, BusinessClaim, BusinessGstin, OutboxMessage
from tests.conftest import PDF


def last_code(db):
    row = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "claim_code")
        .order_by(OutboxMessage.id.desc())
    ).first()
    return row.to_address, re.search(r"\b(\d{6})\b", row.body)[1]


@pytest.fixture
def listed(db, make_business):
    business = make_business("Kesar Exports")
    business.email = "accounts@kesar.example"
    business.contacts_source = "import"
    db.flush()
    return business


def claim_in_portal(client, db, business):
    answer = client.post(f"/claim?business_id={business.id}", data={"channel": "email"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    _to, code = last_code(db)
    answer = client.post(answer.headers["Location"], data={"code": code})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/business")


def test_the_notice_page_leads_to_the_claim(client, db, settings, factory, listed, make_complaint):
    complaint = make_complaint(factory.member_user(), listed)
    token = links.issue_token(complaint, settings.secret_key)
    db.flush()
    page = client.get(f"/notice/{token}").get_data(as_text=True)
    assert f"/claim?business_id={listed.id}" in page
    claim_page = client.get(f"/claim?business_id={listed.id}")
    assert claim_page.status_code == 200 and "Kesar Exports" in claim_page.get_data(as_text=True)


def test_claiming_opens_the_whole_file_free(client, db, factory, listed, make_complaint):
    make_complaint(factory.member_user(name="Honest Supplier Co"), listed)
    assert client.get("/business").status_code == 404  # no business session yet
    claim_in_portal(client, db, listed)
    page = client.get("/business")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kesar Exports" in text
    assert "free of charge" in text and "Honest Supplier Co" not in text  # reporter unnamed
    assert "Who pulled your report" in text


def test_a_wrong_code_in_the_portal_counts(client, db, listed):
    answer = client.post(f"/claim?business_id={listed.id}", data={"channel": "email"})
    url = answer.headers["Location"]
    _to, code = last_code(db)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post(url, data={"code": wrong}).status_code == 422
    assert client.post(url, data={"code": code}).status_code == 404
    assert client.get("/business").status_code == 404


def test_no_contact_offers_the_documents_route(client, db, make_business):
    business = make_business("Tulsi Traders")
    answer = client.post(f"/claim?business_id={business.id}", data={"channel": "email"})
    assert answer.status_code == 422
    assert "GST registration documents" in answer.get_data(as_text=True)


def test_the_claimed_business_sets_its_own_contacts(client, db, listed):
    claim_in_portal(client, db, listed)
    bad = client.post("/business", data={"email": "not-an-email", "mobile": "12"})
    assert bad.status_code == 422
    assert db.get(Business, listed.id).email == "accounts@kesar.example"
    good = client.post("/business", data={"email": "owner@kesar.example", "mobile": "98765 43210"})
    assert good.status_code == 302
    db.expire_all()
    business = db.get(Business, listed.id)
    assert (business.email, business.mobile, business.contacts_source) == (
        "owner@kesar.example",
        "+919876543210",
        "business",
    )
    # Its next claim code goes to the contact it set.
    client.post("/business/logout")
    client.post(f"/claim?business_id={listed.id}", data={"channel": "sms"})
    assert last_code(db)[0] == "+919876543210"


def test_a_business_session_opens_no_member_page(client, db, listed):
    claim_in_portal(client, db, listed)
    for path in ("/complaints", "/complaints/new", "/my-business", "/watchlist"):
        answer = client.get(path)
        assert answer.status_code in {302, 404}, path
        if answer.status_code == 302:
            assert "/login" in answer.headers["Location"]


def test_documents_go_to_the_admins_queue_and_approval_makes_the_email_the_contact(
    client, db, factory, auth, make_business
):
    business = make_business("Tulsi Traders")
    form = {
        "email": "owner@tulsi.example",
        "document": (io.BytesIO(PDF), "reg06.pdf"),
        "note": "We are Tulsi Traders",
    }
    answer = client.post(
        f"/claim/documents?business_id={business.id}", data=form, content_type="multipart/form-data"
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    claim = db.scalars(select(BusinessClaim).where(BusinessClaim.method == "documents")).one()
    assert claim.status == "pending" and claim.document_type == "application/pdf"
    admin = factory.admin()
    auth.login(admin.email)
    queue = client.get("/admin/claims")
    assert queue.status_code == 200 and "Tulsi Traders" in queue.get_data(as_text=True)
    with client.get(f"/admin/claims/{claim.id}/document") as document:
        assert document.data == PDF
    decided = client.post(
        f"/admin/claims/{claim.id}", data={"outcome": "approve", "note": "REG-06 matches"}
    )
    assert decided.status_code == 302
    db.expire_all()
    business = db.get(Business, business.id)
    assert (business.email, business.contacts_source) == ("owner@tulsi.example", "business")
    assert db.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "business_claim")
    ).all() == ["submitted", "approved"]


def test_a_document_that_is_no_document_is_refused(client, db, make_business):
    business = make_business("Tulsi Traders")
    form = {"email": "owner@tulsi.example", "document": (io.BytesIO(b"<script>"), "x.pdf")}
    answer = client.post(
        f"/claim/documents?business_id={business.id}", data=form, content_type="multipart/form-data"
    )
    assert answer.status_code == 422
    assert db.scalars(select(BusinessClaim)).all() == []


def test_a_member_sees_its_own_business_file(
    client, db, factory, auth, make_business, make_complaint
):
    user = factory.member_user(name="Sharma Steel")
    member = user.member
    pan = member.gstin[2:12]
    own = make_business("Sharma Steel", pan=pan, states=())
    db.add(BusinessGstin(gstin=gstin_for(member.gstin[:2], pan), business_id=own.id))
    db.flush()
    make_complaint(factory.member_user(name="Angry Supplier"), own)
    auth.login(user.email)
    page = client.get("/my-business")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Sharma Steel" in text and "Complaints (1)" in text


def test_admins_see_reporter_contacts_marked_as_given_by_the_reporter(
    client, db, factory, auth, listed, make_complaint
):
    complaint = make_complaint(factory.member_user(), listed)
    complaint.debtor_email = "spy@rival.example"
    complaint.debtor_mobile = "+919811122233"
    db.flush()
    admin = factory.admin()
    auth.login(admin.email)
    page = client.get(f"/admin/businesses/{listed.id}").get_data(as_text=True)
    given = page.index("Given by the reporter")
    assert page.index("spy@rival.example") > given and "+919811122233" in page
    assert page.index("accounts@kesar.example") < given and "from the directory" in page


def test_the_business_session_ends_after_twelve_hours(client, db, listed):
    claim_in_portal(client, db, listed)
    with client.session_transaction() as browser:
        browser["business_login_at"] -= 12 * 3600 + 1
    assert client.get("/business").status_code == 404


def test_logging_out_ends_the_business_session(client, db, listed):
    claim_in_portal(client, db, listed)
    client.post("/business/logout")
    assert client.get("/business").status_code == 404
