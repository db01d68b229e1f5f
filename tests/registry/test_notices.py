from datetime import timedelta

from registry.complaints.notices import links
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
    token_one, token_two = links.issue_token(first, "k"), links.issue_token(second, "k")
    db.flush()
    assert links.complaint_for_token(db, token_one) is first
    assert links.complaint_for_token(db, token_two) is second
    assert token_one not in (first.notice_token_hash, second.notice_token_hash)


def test_altered_unknown_and_expired_tokens_open_nothing(db, factory):
    complaint = make(db, factory)
    token = links.issue_token(complaint, "k")
    db.flush()
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert links.complaint_for_token(db, altered) is None
    assert links.complaint_for_token(db, "") is None
    assert links.complaint_for_token(db, "x" * 500) is None
    later = utcnow() + links.LINK_LIFETIME + timedelta(seconds=1)
    assert links.complaint_for_token(db, token, now=later) is None


def test_a_new_token_replaces_the_old(db, factory):
    complaint = make(db, factory)
    old = links.issue_token(complaint, "k")
    new = links.issue_token(complaint, "k")
    db.flush()
    assert links.complaint_for_token(db, old) is None
    assert links.complaint_for_token(db, new) is complaint


def test_the_token_can_be_recomputed_for_reminders_but_not_without_the_secret(db, factory):
    complaint = make(db, factory)
    token = links.issue_token(complaint, "secret-one")
    db.flush()
    assert links.token_for(complaint, "secret-one") == token
    assert links.token_for(complaint, "secret-two") != token
    assert token not in (complaint.notice_nonce, complaint.notice_token_hash)


def test_a_link_issued_before_tokens_were_shortened_keeps_working_in_reminders(db, factory):
    """Links already sent carry the whole HMAC (43 characters): a reminder recomputes that
    same token, and it still opens the complaint; a new notice issues a short one."""
    import base64
    import hashlib
    import hmac

    complaint = make(db, factory)
    links.issue_token(complaint, "k")
    mac = hmac.new(b"k", f"notice:{complaint.id}:{complaint.notice_nonce}".encode(), "sha256")
    whole = base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")
    complaint.notice_token_hash = hashlib.sha256(whole.encode()).hexdigest()  # as issued then
    db.flush()
    assert links.token_for(complaint, "k") == whole and len(whole) == 43
    assert links.complaint_for_token(db, whole) is complaint
    fresh = links.issue_token(complaint, "k")
    assert len(fresh) == links.TOKEN_LENGTH and links.complaint_for_token(db, fresh) is complaint
