"""Every arrow of the complaint's life, and every arrow that is not there."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.actors import SYSTEM, Actor
from registry.complaints import filing, life
from registry.errors import InvalidTransition
from registry.models import AuditEntry, Business, Complaint, ComplaintStatus, utcnow
from registry.reports import credit_report
from tests.conftest import filing_request

C = ComplaintStatus
ALLOWED = {
    (C.FILED, C.IN_NOTICE),
    (C.IN_NOTICE, C.LISTED),
    (C.IN_NOTICE, C.DISPUTED),
    (C.IN_NOTICE, C.SETTLED),
    (C.IN_NOTICE, C.WITHDRAWN),
    (C.LISTED, C.DISPUTED),
    (C.LISTED, C.SETTLED),
    (C.DISPUTED, C.LISTED),
    (C.DISPUTED, C.REMOVED),
    (C.DISPUTED, C.SETTLED),
}


@pytest.fixture
def make_complaint(db, factory):
    user = factory.member_user()
    business = Business(name="Om Traders", city="Pune")
    db.add(business)
    db.flush()

    def make(status):
        complaint = Complaint(member_id=user.member_id, business_id=business.id, status=status)
        db.add(complaint)
        db.flush()
        return complaint

    return make


@pytest.mark.parametrize(("start", "target"), sorted(ALLOWED, key=str))
def test_allowed_moves_change_state_and_are_audited(db, make_complaint, start, target):
    complaint = make_complaint(start)
    life.transition(db, complaint, target, SYSTEM, "because")
    assert complaint.status is target
    entry = life.history(db, complaint)[-1]
    assert (entry.from_state, entry.to_state, entry.note) == (start.value, target.value, "because")


FORBIDDEN = [(a, b) for a in C for b in C if (a, b) not in ALLOWED]


@pytest.mark.parametrize(("start", "target"), FORBIDDEN, ids=lambda s: s.value)
def test_forbidden_moves_change_nothing(db, make_complaint, start, target):
    complaint = make_complaint(start)
    audit_before = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(InvalidTransition):
        life.transition(db, complaint, target, SYSTEM)
    assert complaint.status is start
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit_before


def test_closing_and_listing_are_dated(db, make_complaint):
    complaint = make_complaint(C.IN_NOTICE)
    life.transition(db, complaint, C.LISTED, SYSTEM)
    assert complaint.listed_at is not None and complaint.closed_at is None
    life.transition(db, complaint, C.SETTLED, SYSTEM)
    assert complaint.closed_at is not None


def test_notice_period_over_lists_only_the_due_undisputed(db, make_complaint):
    now = utcnow()
    due = make_complaint(C.IN_NOTICE)
    due.notice_ends_at = now - timedelta(minutes=1)
    running = make_complaint(C.IN_NOTICE)
    running.notice_ends_at = now + timedelta(days=3)
    disputed = make_complaint(C.DISPUTED)
    disputed.notice_ends_at = now - timedelta(days=1)
    db.flush()
    assert life.list_notice_period_over(db, now) == 1
    assert (due.status, running.status, disputed.status) == (C.LISTED, C.IN_NOTICE, C.DISPUTED)
    assert life.history(db, due)[-1].actor_kind == "system"


def test_a_complaint_listed_when_its_notice_period_is_over_is_dated_by_that_round(
    db, settings, factory
):
    """The worker's round lists as of the time it is given: the report says the complaint
    was reported on that day. It used to be stamped with the clock instead."""
    filed = filing.file_complaint(
        db, settings, Actor.of(factory.member_user()), filing_request()
    ).complaint
    round_at = filed.notice_ends_at + timedelta(days=3, hours=5)
    assert life.list_notice_period_over(db, round_at) == 1
    assert filed.status is C.LISTED and filed.listed_at == round_at
    report = credit_report.build_report(db, filed.business_id, round_at)
    assert [row["reported_on"] for row in report["complaints"]] == [round_at.date().isoformat()]
    entries = life.history(db, filed)
    assert [(e.from_state, e.to_state) for e in entries][-1] == ("in_notice", "listed")
    assert entries[-1].actor_kind == "system"
    assert entries[-1].note == "notice period ended without a dispute"
