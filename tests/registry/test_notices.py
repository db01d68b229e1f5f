from datetime import timedelta

from registry import notices
from registry.models import Business, Complaint, ComplaintStatus, utcnow


def make(db, factory):
    user = factory.member_user()
    business = Business(name="Notice Co")
    db.add(business)
    db.flush()
    complaint = Complaint(
        member_id=user.member_id, business_id=business.id, status=ComplaintStatus.IN_NOTICE
    )
    db.add(complaint)
    db.flush()
    return complaint


def test_a_token_opens_only_its_complaint(db, factory):
    first, second = make(db, factory), make(db, factory)
    token_one, token_two = notices.issue_token(first, "k"), notices.issue_token(second, "k")
    db.flush()
    assert notices.complaint_for_token(db, token_one) is first
    assert notices.complaint_for_token(db, token_two) is second
    assert token_one not in (first.notice_token_hash, second.notice_token_hash)


def test_altered_unknown_and_expired_tokens_open_nothing(db, factory):
    complaint = make(db, factory)
    token = notices.issue_token(complaint, "k")
    db.flush()
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert notices.complaint_for_token(db, altered) is None
    assert notices.complaint_for_token(db, "") is None
    assert notices.complaint_for_token(db, "x" * 500) is None
    later = utcnow() + notices.LINK_LIFETIME + timedelta(seconds=1)
    assert notices.complaint_for_token(db, token, now=later) is None


def test_a_new_token_replaces_the_old(db, factory):
    complaint = make(db, factory)
    old = notices.issue_token(complaint, "k")
    new = notices.issue_token(complaint, "k")
    db.flush()
    assert notices.complaint_for_token(db, old) is None
    assert notices.complaint_for_token(db, new) is complaint


def test_the_token_can_be_recomputed_for_reminders_but_not_without_the_secret(db, factory):
    complaint = make(db, factory)
    token = notices.issue_token(complaint, "secret-one")
    db.flush()
    assert notices.token_for(complaint, "secret-one") == token
    assert notices.token_for(complaint, "secret-two") != token
    assert token not in (complaint.notice_nonce, complaint.notice_token_hash)
