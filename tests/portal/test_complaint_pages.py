"""The complaint's life through the portal: member, debtor, admin."""

import io
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from registry.actors import Actor
from registry.complaints import filing
from registry.complaints.notices import links
from registry.identifiers import gstin_for
from registry.models import Complaint, ComplaintStatus, Dispute
from tests.conftest import PDF, PNG, filing_request

TODAY = date.today()


def form_data(**overrides):
    data = {
        "debtor_name": "Om Shanti Logistics",
        "debtor_gstin": gstin_for("07", "ABCFO6666F"),
        "debtor_city": "New Delhi",
        "debtor_email": "pay@omshanti.example",
        "invoices-0-number": "OSL-77",
        "invoices-0-invoice_date": str(TODAY - timedelta(days=70)),
        "invoices-0-due_date": str(TODAY - timedelta(days=40)),
        "invoices-0-amount": "3,50,000.00".replace(",", ""),
        "invoices-0-paid": "50000",
        "evidence": [(io.BytesIO(PDF), "osl-77.pdf")],
    }
    data.update(overrides)
    return data


def test_a_member_files_from_the_form_and_follows_it(client, auth, factory, db):
    user = factory.member_user()
    auth.login(user.email)
    blank = client.get("/complaints/new").get_data(as_text=True)
    # One invoice row to start with; more on demand (not five fixed rows).
    assert 'name="invoices-0-number"' in blank and 'name="invoices-1-number"' not in blank
    grown = client.post(
        "/complaints/new", data=form_data(add_invoice="1"), content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert 'name="invoices-1-number"' in grown and 'value="OSL-77"' in grown
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0  # nothing filed
    response = client.post("/complaints/new", data=form_data(), content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Om Shanti Logistics" in page and "OSL-77" in page and "₹3,00,000.00" in page
    assert "in its notice period" in page and "filed → in its notice period" in page
    complaint = db.scalar(select(Complaint))
    download = client.get(f"/complaints/{complaint.id}/evidence/{complaint.evidence[0].id}")
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    download.close()
    assert (
        client.post(f"/complaints/{complaint.id}/settle", data={"note": "paid in cash"}).status_code
        == 302
    )
    db.refresh(complaint)
    assert complaint.status is ComplaintStatus.SETTLED


def test_form_errors_are_shown_and_nothing_is_filed(client, auth, factory, db):
    auth.login(factory.member_user().email)
    bad = form_data(
        **{
            "invoices-0-due_date": str(TODAY + timedelta(days=3)),
            "debtor_gstin": "07ABCFO6666F1Z0",
            "evidence": [(io.BytesIO(b"<script>alert(1)</script>"), "evil.pdf")],
        }
    )
    response = client.post("/complaints/new", data=bad, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "checksum does not match" in page
        and "not past yet" in page
        and "not a PDF, PNG or JPEG" in page
    )
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_half_filled_invoice_row_is_pointed_out(client, auth, factory, db):
    auth.login(factory.member_user().email)
    response = client.post(
        "/complaints/new",
        data=form_data(**{"invoices-1-number": "OSL-78"}),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "needed" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Complaint)) == 0


def test_another_members_complaint_and_files_are_404(client, auth, factory, db, settings):
    owner = Actor.of(factory.member_user())
    complaint = filing.file_complaint(db, settings, owner, filing_request()).complaint
    auth.login(factory.member_user().email)
    assert client.get(f"/complaints/{complaint.id}").status_code == 404
    assert (
        client.get(f"/complaints/{complaint.id}/evidence/{complaint.evidence[0].id}").status_code
        == 404
    )
    assert client.post(f"/complaints/{complaint.id}/withdraw").status_code == 404


def test_admins_and_anonymous_cannot_file(client, auth, factory):
    assert client.get("/complaints/new").headers["Location"].startswith("/login")
    auth.login(factory.admin().email)
    assert client.get("/complaints/new").status_code == 403


def test_the_debtor_sees_its_notice_disputes_and_the_admin_decides(
    client, auth, factory, db, settings
):
    member = Actor.of(factory.member_user(name="Gupta Cotton"))
    filed = filing.file_complaint(db, settings, member, filing_request())
    page = client.get(f"/notice/{filed.notice_token}").get_data(as_text=True)
    assert "Gupta Cotton" in page and "LP/2026/101" in page and "Raise dispute" in page
    evidence_id = filed.complaint.evidence[0].id
    download = client.get(f"/notice/{filed.notice_token}/evidence/{evidence_id}")
    assert download.data == PDF
    download.close()
    refused = client.post(
        f"/notice/{filed.notice_token}/dispute", data={"reason": "other", "statement": "short"}
    )
    assert refused.status_code == 422
    response = client.post(
        f"/notice/{filed.notice_token}/dispute",
        data={
            "reason": "already_paid",
            "statement": "Paid by RTGS on 2 May.",
            "documents": [(io.BytesIO(PNG), "rtgs.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    dispute = db.scalar(select(Dispute))
    assert dispute.evidence[0].original_name == "rtgs.png"
    auth.login(factory.admin().email)
    queue = client.get("/admin/disputes").get_data(as_text=True)
    assert f"#{dispute.id}" in queue and "Gupta Cotton" in queue
    detail = client.get(f"/admin/disputes/{dispute.id}").get_data(as_text=True)
    assert "rtgs.png" in detail and "invoice-101.pdf" in detail
    download = client.get(f"/admin/disputes/{dispute.id}/evidence/{dispute.evidence[0].id}")
    assert download.data == PNG
    download.close()
    assert (
        client.post(
            f"/admin/disputes/{dispute.id}", data={"outcome": "upheld", "note": ""}
        ).status_code
        == 422
    )
    done = client.post(
        f"/admin/disputes/{dispute.id}",
        data={"outcome": "upheld", "note": "RTGS receipt matches the amount."},
    )
    assert done.status_code == 302
    db.refresh(filed.complaint)
    assert filed.complaint.status is ComplaintStatus.REMOVED
    debtor_view = client.get(f"/notice/{filed.notice_token}").get_data(as_text=True)
    assert "RTGS receipt matches the amount." in debtor_view
    audit = client.get("/admin/audit?entity_type=dispute").get_data(as_text=True)
    assert "decided" in audit and "open, awaiting a decision → upheld" in audit


def test_a_dispute_the_member_settles_leaves_the_queue_and_every_page_says_why(
    client, auth, factory, db, settings
):
    """Settling a disputed complaint left its dispute in the admins' queue, where deciding
    it was refused; its page now says it closed, and why, to the admin, member and debtor."""
    user = factory.member_user(name="Gupta Cotton")
    filed = filing.file_complaint(db, settings, Actor.of(user), filing_request())
    client.post(
        f"/notice/{filed.notice_token}/dispute",
        data={"reason": "already_paid", "statement": "Paid by RTGS on 2 May."},
    )
    dispute = db.scalar(select(Dispute))
    auth.login(user.email)
    settled = client.post(f"/complaints/{filed.complaint.id}/settle", data={"note": "RTGS came"})
    assert settled.status_code == 302
    member_view = client.get(f"/complaints/{filed.complaint.id}").get_data(as_text=True)
    assert "Dispute (closed without a decision)" in member_view
    assert "Closed without a decision when you settled the complaint." in member_view
    debtor_view = client.get(f"/notice/{filed.notice_token}").get_data(as_text=True)
    assert "Your dispute (closed without a decision)" in debtor_view
    assert "Gupta Cotton confirmed that you paid and settled the complaint" in debtor_view
    auth.logout()
    auth.login(factory.admin().email)
    queue = client.get("/admin/disputes").get_data(as_text=True)
    assert "No open disputes." in queue
    detail = client.get(f"/admin/disputes/{dispute.id}")
    assert detail.status_code == 200
    page = detail.get_data(as_text=True)
    assert (
        "Status <strong>closed without a decision</strong>" in page
        and "Closed without a decision on" in page
    )
    assert 'name="outcome"' not in page
    refused = client.post(
        f"/admin/disputes/{dispute.id}",
        data={"outcome": "rejected", "note": "The receipt is not for this invoice."},
    )
    assert refused.status_code == 422
    refusal = "A dispute that is closed without a decision cannot become rejected."
    assert refusal in refused.get_data(as_text=True)
    audit = client.get("/admin/audit?entity_type=dispute").get_data(as_text=True)
    assert "open, awaiting a decision → closed without a decision" in audit


def test_the_debtor_promises_a_date(client, factory, db, settings):
    filed = filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    bad = client.post(
        f"/notice/{filed.notice_token}/promise", data={"pay_by": str(TODAY - timedelta(days=1))}
    )
    assert bad.status_code == 422 and "after today" in bad.get_data(as_text=True)
    ok = client.post(
        f"/notice/{filed.notice_token}/promise", data={"pay_by": str(TODAY + timedelta(days=7))}
    )
    assert ok.status_code == 302
    db.refresh(filed.complaint)
    assert filed.complaint.promised_payment_date == TODAY + timedelta(days=7)


def test_a_notice_link_opens_only_its_own_complaint(client, factory, db, settings):
    member = Actor.of(factory.member_user())
    one = filing.file_complaint(db, settings, member, filing_request())
    two = filing.file_complaint(
        db,
        settings,
        member,
        filing_request(
            invoices=[
                filing.InvoiceIn(
                    "Z-9", TODAY - timedelta(days=60), TODAY - timedelta(days=30), 300000_00
                )
            ]
        ),
    )
    other_file = two.complaint.evidence[0].id
    assert client.get(f"/notice/{one.notice_token}/evidence/{other_file}").status_code == 404
    expired = links.issue_token(
        one.complaint, settings.secret_key, now=one.complaint.created_at - links.LINK_LIFETIME * 2
    )
    db.flush()
    assert client.get(f"/notice/{expired}").status_code == 404
    assert client.get(f"/notice/{one.notice_token}").status_code == 404  # replaced by the new token


def test_audit_page_filters(client, auth, factory, db, settings):
    filing.file_complaint(db, settings, Actor.of(factory.member_user()), filing_request())
    auth.login(factory.admin().email)
    page = client.get("/admin/audit?entity_type=complaint&action=filed").get_data(as_text=True)
    assert re.search(r"complaint #\d+: filed", page) and "transition" not in page
    assert "1 entry." in page
    empty = client.get("/admin/audit?since=2999-01-01").get_data(as_text=True)
    assert "0 entries" in empty
