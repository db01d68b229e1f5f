"""Who the debtor of a new complaint is: GSTIN or PAN decide; a name alone that is close
to known businesses must be confirmed by the member (`confirm_business`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.directory import businesses, search
from registry.errors import Conflict, ValidationFailed
from registry.identifiers import (
    IdentifierError,
    normalise_email,
    normalise_mobile,
    validate_gstin,
    validate_pan,
)
from registry.language import N_
from registry.models import Business, PanHolder

#: A name-only debtor scoring at least this against a known business must be confirmed.
CONFIRM_THRESHOLD = 70.0


@dataclass(frozen=True)
class DebtorIn:
    name: str = ""
    gstin: str | None = None
    pan: str | None = None
    city: str | None = None
    state: str | None = None
    email: str | None = None
    mobile: str | None = None
    business_id: int | None = None
    new_business: bool = False


def check(debtor: DebtorIn) -> dict[str, str]:
    """Field errors of the debtor part (`debtor.<field>`), without touching the database."""
    errors: dict[str, str] = {}
    name = " ".join(debtor.name.split())
    if debtor.business_id is None and not 2 <= len(name) <= 300:
        errors["debtor.name"] = N_("give the debtor's business name (2 to 300 characters)")
    gstin = pan = None
    if debtor.gstin:
        try:
            gstin = validate_gstin(debtor.gstin)
        except IdentifierError as exc:
            errors["debtor.gstin"] = str(exc)
    if debtor.pan:
        try:
            pan = validate_pan(debtor.pan)
        except IdentifierError as exc:
            errors["debtor.pan"] = str(exc)
    if gstin and pan and gstin[2:12] != pan:
        errors["debtor.pan"] = N_("does not match the PAN inside the GSTIN")
    if debtor.email:
        try:
            normalise_email(debtor.email)
        except ValidationFailed:
            errors["debtor.email"] = N_("is not a valid email address")
    if debtor.mobile:
        try:
            normalise_mobile(debtor.mobile)
        except ValidationFailed as exc:
            errors["debtor.mobile"] = exc.fields.get("mobile", "is not a valid mobile number")
    for part in ("city", "state"):
        value = getattr(debtor, part)
        if value and len(value) > 100:
            errors[f"debtor.{part}"] = "at most 100 characters"
    return errors


def candidate_view(session: Session, business: Business, score: float) -> dict[str, Any]:
    return {
        "business_id": business.id,
        "name": business.name,
        "gstins": businesses.gstins_of_legal_entity(session, business),
        "pan": business.pan,
        "city": business.city,
        "state": business.state,
        "score": round(score, 1),
    }


def resolve(session: Session, actor: Actor, debtor: DebtorIn) -> Business:
    """The business the complaint is about; new businesses are created (and indexed)."""
    gstin = validate_gstin(debtor.gstin) if debtor.gstin else None
    pan = validate_pan(debtor.pan) if debtor.pan else (gstin[2:12] if gstin else None)
    name = " ".join(debtor.name.split())
    if debtor.business_id is not None:
        business = businesses.get(session, debtor.business_id)
        if business is None:
            raise ValidationFailed({"debtor.business_id": N_("no such business")})
    elif gstin:
        business = businesses.by_gstin(session, gstin) or _by_pan_or_new(
            session, actor, name, gstin, pan, debtor
        )
    elif pan:
        business = _by_pan_or_new(session, actor, name, None, pan, debtor)
    else:
        business = _by_name(session, actor, name, debtor)
    if name:
        source = alias_source(session, business, name, gstin, pan)
        if source is not None:
            businesses.add_alias(session, business, name, source)
    # A reporter-given email belongs to its complaint only (Complaint.debtor_email): a
    # business's own contacts come from an authoritative source, never from a filing, so
    # one member's filing cannot redirect another member's notice.
    return business


def alias_source(
    session: Session, business: Business, name: str, gstin: str | None, pan: str | None
) -> str | None:
    """Whether a filing's spelling may become a searchable name of `business`, and why:
    the filing's GSTIN/PAN identifies the business (`filing_identified`), or the spelling
    is as close to its names as the score at which filing asks `confirm_business`
    (`filing_matched`). Otherwise (None) one member's words tie nothing to the business:
    an unrelated name filed against a chosen business_id stays out of search."""
    if (pan and pan == business.pan) or (gstin and gstin in {g.gstin for g in business.gstins}):
        return "filing_identified"
    close = search.similar_names(session, name, business.city, business.state, limit=20)
    if any(b.id == business.id and score >= CONFIRM_THRESHOLD for b, score in close):
        return "filing_matched"
    return None


def _by_pan_or_new(
    session: Session,
    actor: Actor,
    name: str,
    gstin: str | None,
    pan: str | None,
    debtor: DebtorIn,
) -> Business:
    same_entity = businesses.by_pan(session, pan) if pan else []
    if same_entity:
        return businesses.add_gstin(session, same_entity[0], gstin) if gstin else same_entity[0]
    try:
        with session.begin_nested():
            business = businesses.create(
                session,
                actor,
                name,
                gstin=gstin,
                pan=pan,
                city=debtor.city,
                state=debtor.state,
            )
            if pan:
                # One new PAN, one business: a racing filing waits on this key.
                session.add(PanHolder(pan=pan, business_id=business.id))
                session.flush()
            return business
    except IntegrityError:
        # Another filing created this GSTIN's business, or claimed this PAN, a moment
        # ago (and committed): use that one.
        existing = businesses.by_gstin(session, gstin) if gstin else None
        if existing is not None:
            return existing
        holder = session.get(PanHolder, pan) if pan else None
        if holder is None:
            raise
        held = businesses.get(session, holder.business_id)
        assert held is not None
        return businesses.add_gstin(session, held, gstin) if gstin else held


def _by_name(session: Session, actor: Actor, name: str, debtor: DebtorIn) -> Business:
    if not debtor.new_business:
        close = [
            (business, score)
            for business, score in search.similar_names(session, name, debtor.city, debtor.state)
            if score >= CONFIRM_THRESHOLD
        ]
        if close:
            raise Conflict(
                "confirm_business",
                "Businesses with a similar name are on the registry: resend with the "
                "business_id of the right one, or with new_business true if none is.",
                candidates=[candidate_view(session, b, s) for b, s in close],
            )
    return businesses.create(session, actor, name, city=debtor.city, state=debtor.state)
