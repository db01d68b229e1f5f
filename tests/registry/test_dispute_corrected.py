"""A dispute decided "corrected": part of the claim stands (a proven part-payment). The
complaint is listed at the amount that stands (settled when nothing does), the history and
the dispute keep both figures, and both sides are told."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.actors import Actor
from registry.complaints import disputes, filing, life
from registry.errors import ValidationFailed
from registry.models import AuditEntry, ComplaintStatus, DisputeStatus, OutboxMessage, utcnow
from registry.reports import credit_report
from tests.conftest import filing_request

CLAIMED = 400000_00  # the filing request's outstanding amount: ₹4,00,000


@pytest.fixture
def disputed(db, settings, factory):
    member = Actor.of(factory.member_user(name="Marwar Steel"))
    complaint = filing.file_complaint(db, settings, member, filing_request()).complaint
    life.transition(db, complaint, ComplaintStatus.LISTED, member, "notice period over")
    dispute = disputes.open_dispute(
        db, settings, complaint, "wrong_amount", "We paid ₹30,000 by NEFT on 2 Nov; UTR attached."
    )
    return dispute


def decided_mails(db):
    return db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "dispute_decided")).all()


def test_a_corrected_dispute_lists_the_amount_that_stands(db, disputed, factory):
    admin = Actor.of(factory.admin())
    disputes.decide(
        db,
        disputed,
        "corrected",
        "The NEFT receipt proves ₹30,000 paid.",
        admin,
        CLAIMED - 30000_00,
    )
    complaint = disputed.complaint
    assert disputed.status is DisputeStatus.CORRECTED
    assert (disputed.corrected_from_paise, disputed.corrected_to_paise) == (CLAIMED, 370000_00)
    assert complaint.status is ComplaintStatus.LISTED
    assert complaint.amount_outstanding_paise == 370000_00
    history = [e.note or "" for e in life.history(db, complaint)]
    assert any("₹4,00,000.00 claimed, ₹3,70,000.00 stands" in note for note in history)
    bodies = [m.body for m in decided_mails(db)]
    assert len(bodies) == 2 and all("₹3,70,000.00 stands" in b for b in bodies)
    row = credit_report.build_report(db, complaint.business_id, utcnow())["complaints"][0]
    assert row["status"] == "listed" and row["outstanding_paise"] == 370000_00


def test_a_correction_to_nothing_settles_the_complaint(db, disputed, factory):
    disputes.decide(
        db, disputed, "corrected", "Paid in full before the filing.", Actor.of(factory.admin()), 0
    )
    assert disputed.status is DisputeStatus.CORRECTED
    assert disputed.complaint.status is ComplaintStatus.SETTLED
    assert disputed.complaint.amount_outstanding_paise == 0


@pytest.mark.parametrize(
    ("outcome", "amount", "field"),
    [
        ("corrected", None, "amount_outstanding_paise"),
        ("corrected", CLAIMED, "amount_outstanding_paise"),  # nothing corrected: that is rejected
        ("corrected", CLAIMED + 1, "amount_outstanding_paise"),
        ("corrected", -1, "amount_outstanding_paise"),
        ("upheld", 100, "amount_outstanding_paise"),
        ("partly", None, "outcome"),
    ],
)
def test_a_bad_correction_is_refused_and_changes_nothing(
    db, disputed, factory, outcome, amount, field
):
    admin = Actor.of(factory.admin())
    audit_rows = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(ValidationFailed) as refused:
        disputes.decide(db, disputed, outcome, "Reasons that are long enough.", admin, amount)
    assert field in refused.value.fields
    assert disputed.status is DisputeStatus.OPEN
    assert disputed.complaint.amount_outstanding_paise == CLAIMED
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows


def test_the_api_decides_corrected_and_lists_it_by_status(client, db, disputed, factory):
    key = factory.api_key(factory.admin())
    headers = {"Authorization": f"Bearer {key}"}
    url = f"/api/v1/admin/disputes/{disputed.id}/decision"
    missing = client.post(
        url, json={"outcome": "corrected", "note": "Part-payment proven."}, headers=headers
    )
    assert missing.status_code == 422
    assert "amount_outstanding_paise" in missing.json["error"]["fields"]
    answer = client.post(
        url,
        json={
            "outcome": "corrected",
            "note": "Part-payment proven.",
            "amount_outstanding_paise": 25000000,
        },
        headers=headers,
    )
    assert answer.status_code == 200 and answer.json["status"] == "corrected"
    listed = client.get("/api/v1/admin/disputes?status=corrected", headers=headers).json
    assert [d["id"] for d in listed] == [disputed.id]
    db.refresh(disputed.complaint)
    assert disputed.complaint.amount_outstanding_paise == 25000000


def test_the_admin_page_corrects_with_an_amount_in_rupees(client, auth, db, disputed, factory):
    admin = factory.admin()
    auth.login(admin.email)
    page = client.get(f"/admin/disputes/{disputed.id}")
    assert page.status_code in (200, 302)
    if page.status_code == 302:
        pytest.skip("admins enrol two-factor first")
    form = page.get_data(as_text=True)
    assert 'value="corrected"' in form and 'name="amount"' in form
