"""What an application proves, for the admin who verifies it: the state its GSTIN is
registered in, the kind of holder its PAN names, and every other application, member or
business on the registry with the same GSTIN or PAN (an impostor's application and the
real owner's show up side by side)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matching.kinds import gstin_state
from registry.identifiers import pan_of_gstin
from registry.language import N_
from registry.models import Business, BusinessGstin, Member

#: The PAN's fourth letter: who holds it (Income Tax Department's codes).
PAN_HOLDERS = {
    "A": N_("association of persons"),
    "B": N_("body of individuals"),
    "C": N_("company"),
    "F": N_("firm or LLP"),
    "G": N_("government"),
    "H": N_("Hindu undivided family"),
    "J": N_("artificial juridical person"),
    "L": N_("local authority"),
    "P": N_("individual (proprietor)"),
    "T": N_("trust"),
}


@dataclass(frozen=True)
class Facts:
    gst_state: str | None
    pan_holder: str
    others: list[Member]
    businesses: list[Business]


def facts(session: Session, member: Member) -> Facts:
    pan = pan_of_gstin(member.gstin)
    try:
        state = gstin_state(member.gstin)
    except ValueError:
        state = None
    others = session.scalars(
        select(Member)
        .where(
            Member.id != member.id,
            or_(Member.gstin == member.gstin, Member.gstin.like(f"__{pan}%")),
        )
        .order_by(Member.created_at)
    ).all()
    known = session.scalars(
        select(Business)
        .outerjoin(BusinessGstin, BusinessGstin.business_id == Business.id)
        .where(
            Business.merged_into_id.is_(None),
            or_(BusinessGstin.gstin == member.gstin, Business.pan == pan),
        )
        .distinct()
    ).all()
    return Facts(state, PAN_HOLDERS.get(pan[3], N_("unknown")), list(others), list(known))
