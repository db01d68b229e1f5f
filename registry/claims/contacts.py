"""A claimed business keeps its own contacts: these are then authoritative (source
"business") and receive every later notice and claim code."""

from __future__ import annotations

from sqlalchemy.orm import Session

from registry import audit
from registry.actors import Actor
from registry.errors import ValidationFailed
from registry.identifiers import normalise_email, normalise_mobile
from registry.language import N_
from registry.models import Business


def set_own(session: Session, business: Business, email: str, mobile: str) -> Business:
    errors: dict[str, str] = {}
    address = number = None
    if email.strip():
        try:
            address = normalise_email(email)
        except ValidationFailed:
            errors["email"] = N_("is not a valid email address")
    if mobile.strip():
        try:
            number = normalise_mobile(mobile)
        except ValidationFailed as exc:
            errors["mobile"] = exc.fields.get("mobile", "is not a mobile number")
    if not errors and address is None and number is None:
        errors["email"] = N_("give an email or a mobile, so notices can reach you")
    if errors:
        raise ValidationFailed(errors)
    business.email, business.mobile, business.contacts_source = address, number, "business"
    actor = Actor(kind="debtor", label=f"claimed business {business.id}")
    audit.record(session, actor, "business", business.id, "contacts_set")
    return business
