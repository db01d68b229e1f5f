from sqlalchemy import select

from registry.models import AuditEntry, MemberStatus, OutboxMessage


def test_members_cannot_open_admin_pages(client, auth, factory):
    auth.login(factory.member_user().email)
    assert client.get("/admin/members").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_admin_sees_pending_applications_and_verifies_one(client, auth, factory, db):
    pending = factory.member_user(name="Agarwal Hardware", active=False).member
    admin = factory.admin()
    auth.login(admin.email)
    page = client.get("/admin/members").get_data(as_text=True)
    assert "Agarwal Hardware" in page and pending.gstin in page
    response = client.post(f"/admin/members/{pending.id}/verify")
    assert response.status_code == 302
    db.refresh(pending)
    assert pending.status is MemberStatus.ACTIVE
    after = client.get("/admin/members").get_data(as_text=True)
    assert "Agarwal Hardware is now an active member" in after and pending.gstin not in after
    audit = client.get("/admin/audit?entity_type=member").get_data(as_text=True)
    assert "verified" in audit and admin.email in audit


def test_admin_rejects_with_a_reason_the_applicant_receives(client, auth, factory, db):
    pending = factory.member_user(active=False).member
    auth.login(factory.admin().email)
    response = client.post(
        f"/admin/members/{pending.id}/reject", data={"reason": "GSTIN is cancelled"}
    )
    assert response.status_code == 302
    db.refresh(pending)
    assert pending.status is MemberStatus.REJECTED and pending.status_reason == "GSTIN is cancelled"
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "member_rejected"))
    assert "GSTIN is cancelled" in mail.body and mail.to_address == pending.contact_email


def test_rejecting_without_a_reason_shows_an_error_and_changes_nothing(client, auth, factory, db):
    pending = factory.member_user(active=False).member
    auth.login(factory.admin().email)
    response = client.post(f"/admin/members/{pending.id}/reject", data={"reason": ""})
    assert response.status_code == 422
    assert "This field is required" in response.get_data(as_text=True)
    db.refresh(pending)
    assert pending.status is MemberStatus.PENDING
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "rejected")) is None


def test_verifying_twice_is_refused(client, auth, factory, db):
    member = factory.member_user().member
    auth.login(factory.admin().email)
    response = client.post(f"/admin/members/{member.id}/verify", follow_redirects=True)
    assert "cannot become active" in response.get_data(as_text=True)


def test_unknown_member_is_404(client, auth, factory):
    auth.login(factory.admin().email)
    assert client.post("/admin/members/999999/verify").status_code == 404
