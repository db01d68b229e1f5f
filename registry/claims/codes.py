"""One-time codes: start a claim (the code goes only to the business's own contact on
record), verify it (five wrong codes end the claim), and the business tokens it gives.

The code is six digits, so it is kept as an HMAC under the app's secret key (a copy of
the database alone does not reveal it) and it expires after `CODE_LIFETIME`."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from registry import audit, language, outbox
from registry.actors import Actor
from registry.channels.templates import template_kind
from registry.directory import businesses
from registry.errors import Conflict, NotFound, RateLimited, ValidationFailed
from registry.identifiers import IdentifierError, validate_gstin
from registry.language import N_
from registry.models import Business, BusinessClaim, BusinessToken, utcnow

CODE_LIFETIME = timedelta(minutes=30)
MAX_WRONG_CODES = 5
#: However many addresses ask, one business gets at most this many codes an hour; a new
#: code ends the business's earlier ones, so guesses cannot add up across claims.
CLAIMS_PER_HOUR = 5
CHANNELS = ("email", "sms")
CLAIMANT = Actor(kind="debtor", label="claimant (one-time code)")


@dataclass(frozen=True)
class Started:
    claim: BusinessClaim
    sent_to: str


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_mobile(number: str) -> str:
    return f"{number[:3]}******{number[-2:]}"


def _code_hash(secret_key: str, claim_id: int, code: str) -> str:
    return hmac.new(secret_key.encode(), f"claim:{claim_id}:{code}".encode(), "sha256").hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_business(session: Session, business_id: int | None, gstin: str | None) -> Business:
    """The business to claim, by id (a merged id answers the survivor) or GSTIN."""
    business: Business | None = None
    if business_id is not None:
        business = businesses.get(session, business_id)
    elif gstin:
        try:
            business = businesses.by_gstin(session, validate_gstin(gstin))
        except IdentifierError as exc:
            raise ValidationFailed({"gstin": str(exc)}) from exc
    else:
        raise ValidationFailed({"business_id": N_("give the business_id or the gstin to claim")})
    if business is None:
        raise NotFound("No such business.")
    return business


def authoritative_contact(business: Business, channel: str | None) -> tuple[str, str] | None:
    """(channel, address) of the business's own contact on record, or None. Contacts are
    authoritative only from a directory load or the claimed business itself."""
    if business.contacts_source not in {"import", "business"}:
        return None
    options = [("email", business.email), ("sms", business.mobile)]
    for kind, address in options:
        if address and (channel is None or channel == kind):
            return kind, address
    return None


def start(
    session: Session,
    secret_key: str,
    business: Business,
    channel: str | None = None,
    lang: str = language.SOURCE,
) -> Started:
    """Send a one-time code to the business's own contact, in `lang` (the language of the
    page the claimant asked from)."""
    if channel is not None and channel not in CHANNELS:
        raise ValidationFailed({"channel": N_("email or sms")})
    contact = authoritative_contact(business, channel)
    if contact is None:
        raise Conflict(
            "no_verified_contact",
            "This business has no contact on record from an authoritative source"
            + (f" for {channel}" if channel else "")
            + ": claim it with its GST registration documents in the portal instead.",
        )
    kind, address = contact
    now = utcnow()
    recent = session.scalar(
        select(func.count())
        .select_from(BusinessClaim)
        .where(
            BusinessClaim.business_id == business.id,
            BusinessClaim.method == "code",
            BusinessClaim.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= CLAIMS_PER_HOUR:
        raise RateLimited(
            "This business was sent several codes in the last hour: use the latest one, "
            "or try again later."
        )
    session.execute(
        update(BusinessClaim)
        .where(
            BusinessClaim.business_id == business.id,
            BusinessClaim.method == "code",
            BusinessClaim.status == "pending",
        )
        .values(status="ended")
    )
    sent_to = mask_email(address) if kind == "email" else mask_mobile(address)
    claim = BusinessClaim(
        business_id=business.id,
        method="code",
        channel=kind,
        sent_to=sent_to,
        status="pending",
        attempts=0,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    session.add(claim)
    session.flush()
    code = f"{secrets.randbelow(1_000_000):06d}"
    claim.code_hash = _code_hash(secret_key, claim.id, code)
    text = language.translate(
        lang,
        "Your Khata Registry code to claim %(business)s is %(secret)s. It works for 30 minutes. "
        "If you did not ask for it, ignore this message.",
        business=business.name,
        secret=code,
    )
    if kind == "email":
        subject = language.translate(lang, "Your code to claim your business")
        outbox.queue_email(session, "claim_code", address, subject, text)
    else:
        template = template_kind("claim_code", lang)
        outbox.queue_text(session, "sms", "claim_code", address, text, template)
    audit.record(session, CLAIMANT, "business", business.id, "claim_started", note=sent_to)
    return Started(claim, sent_to)


def verify(
    session: Session, secret_key: str, claim_id: int, code: str, now: datetime | None = None
) -> str:
    """The new business token for a right code. A wrong code answers ValidationFailed;
    the fifth wrong one ends the claim. An ended, used or unknown claim is NotFound."""
    now = now or utcnow()
    claim = session.get(BusinessClaim, claim_id, with_for_update=True)
    if claim is None or claim.method != "code" or claim.status != "pending":
        raise NotFound("No such claim waiting for a code.")
    if claim.expires_at is None or claim.expires_at <= now:
        claim.status = "ended"
        raise NotFound("This code has expired: start the claim again.")
    given = (code or "").strip()
    expected = claim.code_hash or ""
    if not (
        len(given) == 6 and hmac.compare_digest(_code_hash(secret_key, claim.id, given), expected)
    ):
        claim.attempts += 1
        if claim.attempts >= MAX_WRONG_CODES:
            claim.status = "ended"
            audit.record(
                session, CLAIMANT, "business", claim.business_id, "claim_ended", note="wrong codes"
            )
        raise ValidationFailed({"code": N_("this code is not right")})
    claim.status = "verified"
    claim.decided_at = now
    claim.code_hash = None
    return grant(session, claim, CLAIMANT)


def grant(session: Session, claim: BusinessClaim, actor: Actor) -> str:
    """Mark the business claimed and give a business token (returned once, kept hashed)."""
    business = claim.business
    business.claimed_at = business.claimed_at or utcnow()
    token = "kb_" + secrets.token_urlsafe(32)
    session.add(
        BusinessToken(business_id=business.id, claim_id=claim.id, token_hash=token_digest(token))
    )
    audit.record(session, actor, "business", business.id, "claimed", note=f"claim {claim.id}")
    session.flush()
    return token


def business_for_token(session: Session, token: str) -> Business | None:
    if not token or len(token) > 200:
        return None
    row = session.scalar(
        select(BusinessToken).where(
            BusinessToken.token_hash == token_digest(token), BusinessToken.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    return businesses.get(session, row.business_id)
