"""Claiming with GST registration documents, where no contact on record exists: the
claimant uploads the certificate and gives its email; an admin approves or rejects
(audited). Approval makes that email the business's own contact (source "business"), so
the claimant then claims by code like any other business."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit, language, outbox
from registry.actors import Actor
from registry.errors import InvalidTransition, ValidationFailed
from registry.identifiers import normalise_email
from registry.language import N_
from registry.models import Business, BusinessClaim, utcnow
from registry.settings import Settings
from registry.uploads import evidence

CLAIMANT = Actor(kind="debtor", label="claimant (documents)")


def submit(
    session: Session,
    settings: Settings,
    business: Business,
    email: str,
    filename: str,
    content: bytes,
    note: str = "",
) -> BusinessClaim:
    try:
        address = normalise_email(email)
    except ValidationFailed as exc:
        raise ValidationFailed({"email": "is not a valid email address"}) from exc
    if len(note) > 2000:
        raise ValidationFailed({"note": N_("at most 2000 characters")})
    stored = evidence.store_in_transaction(
        session,
        settings.uploads_path / "claims",
        filename,
        content,
        settings.upload_max_bytes,
        "document",
    )
    claim = BusinessClaim(
        business_id=business.id,
        method="documents",
        status="pending",
        attempts=0,
        claimant_email=address,
        note=note.strip() or None,
        document_name=stored.original_name,
        document_stored=stored.stored_name,
        document_type=stored.content_type,
    )
    session.add(claim)
    session.flush()
    audit.record(session, CLAIMANT, "business_claim", claim.id, "submitted", to_state="pending")
    outbox.email_admins(
        session,
        "claim_review",
        lambda code: language.translate(
            code,
            "Claim #%(id)s of %(business)s waits for review",
            id=claim.id,
            business=business.name,
        ),
        lambda code: language.translate(
            code,
            "%(address)s claims %(business)s with GST registration documents.",
            address=address,
            business=business.name,
        ),
    )
    return claim


def document_path(settings: Settings, claim: BusinessClaim) -> Path | None:
    if not claim.document_stored:
        return None
    return settings.uploads_path / "claims" / claim.document_stored


def queue(session: Session) -> Sequence[BusinessClaim]:
    """Document claims waiting for an admin, oldest first."""
    return session.scalars(
        select(BusinessClaim)
        .where(BusinessClaim.method == "documents", BusinessClaim.status == "pending")
        .order_by(BusinessClaim.id)
    ).all()


def decide(
    session: Session, claim: BusinessClaim, approve: bool, note: str, actor: Actor, base_url: str
) -> BusinessClaim:
    if claim.method != "documents" or claim.status != "pending":
        raise InvalidTransition("claim", claim.status, "approved" if approve else "rejected")
    if not note.strip():
        raise ValidationFailed({"note": N_("give the reason, for the audit trail")})
    target = "approved" if approve else "rejected"
    claim.status = target
    claim.decided_at = utcnow()
    business = claim.business
    address = claim.claimant_email or ""
    if approve:
        business.email = address
        business.contacts_source = "business"

    def body(code: str) -> str:
        if approve:
            return language.translate(
                code,
                "Your claim of %(business)s is approved. Claim it now with a one-time code "
                "sent to this address: %(link)s",
                business=business.name,
                link=f"{base_url}/claim?business_id={business.id}",
            )
        return language.translate(
            code,
            "Your claim of %(business)s was not approved: %(note)s",
            business=business.name,
            note=note.strip(),
        )

    # The claimant is a business like a debtor: it reads English and Hindi.
    codes = language.BOTH
    subject = " / ".join(
        language.translate(c, "Your claim of %(business)s", business=business.name) for c in codes
    )
    outbox.queue_email(
        session, "claim_decided", address, subject, "\n\n---\n\n".join(body(c) for c in codes)
    )
    audit.record(
        session,
        actor,
        "business_claim",
        claim.id,
        target,
        from_state="pending",
        to_state=target,
        note=note.strip(),
    )
    return claim
