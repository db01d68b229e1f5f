"""Notice links: the debtor's private, unguessable, expiring key to its own complaint.

A token is an HMAC of a random per-complaint nonce under the app's secret key. The
database keeps the nonce and the token's SHA-256 (for look-up), never the token: a copy
of the database alone opens no notice, yet the worker can put the same link in each
reminder. Rotating SECRET_KEY invalidates outstanding links (a new notice reissues one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Complaint, utcnow

#: How long a notice link works. Longer than the notice period, so the debtor can still
#: dispute a listed complaint and read its own report.
LINK_LIFETIME = timedelta(days=180)
#: Characters of a notice token: 96 bits, beyond guessing (and notice links are rate
#: limited), and short enough that the Hindi SMS, 134 characters in two segments with its
#: link, still names who reported.
TOKEN_LENGTH = 16


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(complaint: Complaint, secret_key: str) -> str:
    """The complaint's current notice token (it must have been issued): the first
    `TOKEN_LENGTH` characters of the HMAC, or the whole HMAC for a link issued before
    tokens were shortened (its reminders keep working)."""
    if not complaint.notice_nonce:
        raise ValueError("no notice has been issued for this complaint")
    mac = hmac.new(
        secret_key.encode(), f"notice:{complaint.id}:{complaint.notice_nonce}".encode(), "sha256"
    )
    whole = base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")
    return whole if complaint.notice_token_hash == _digest(whole) else whole[:TOKEN_LENGTH]


def issue_token(complaint: Complaint, secret_key: str, now: datetime | None = None) -> str:
    """Give the complaint a new notice token (the old one stops working); returns it."""
    complaint.notice_nonce = secrets.token_hex(16)
    token = token_for(complaint, secret_key)
    complaint.notice_token_hash = _digest(token)
    complaint.notice_expires_at = (now or utcnow()) + LINK_LIFETIME
    return token


def complaint_for_token(
    session: Session, token: str, now: datetime | None = None
) -> Complaint | None:
    """The complaint this token opens, or None when it is unknown, altered or expired."""
    if not token or len(token) > 100:
        return None
    complaint = session.scalar(
        select(Complaint).where(Complaint.notice_token_hash == _digest(token))
    )
    if complaint is None or complaint.notice_expires_at is None:
        return None
    if complaint.notice_expires_at <= (now or utcnow()):
        return None
    return complaint
