"""Notice links: the debtor's private, unguessable, expiring key to its own complaint.

Only the SHA-256 of a token is stored, so a database leak does not open any notice.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Complaint, utcnow

#: How long a notice link works. Longer than the notice period, so the debtor can still
#: dispute a listed complaint and read its own report.
LINK_LIFETIME = timedelta(days=180)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(complaint: Complaint, now: datetime | None = None) -> str:
    """Give the complaint a new notice token (the old one stops working); returns it."""
    token = secrets.token_urlsafe(32)
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
