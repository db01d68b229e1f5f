"""A filing's spelling becomes a searchable name of the chosen business only when the
filing's GSTIN/PAN identifies it or the spelling is close to its names. Before, filing
against any `business_id` with an unrelated name (then withdrawing) tied that name to
the business: a search for an innocent company answered the defaulter."""

from __future__ import annotations

from sqlalchemy import select

from registry.actors import SYSTEM, Actor
from registry.complaints import filing, life
from registry.directory import businesses, debtors, search
from registry.identifiers import gstin_for
from registry.models import BusinessAlias
from tests.conftest import filing_request


def aliases(db, business):
    return {
        a.name: a.source
        for a in db.scalars(select(BusinessAlias).where(BusinessAlias.business_id == business.id))
    }


def test_an_unrelated_name_filed_against_a_business_is_not_tied_to_it(db, settings, factory):
    member = Actor.of(factory.member_user())
    target = businesses.create(db, SYSTEM, "Lakshmi Paper Mart", city="Surat", email="l@x.example")
    filed = filing.file_complaint(
        db,
        settings,
        member,
        filing_request(
            debtor=debtors.DebtorIn(name="Infosys Technologies Limited", business_id=target.id)
        ),
    )
    life.withdraw(db, filed.complaint, member)
    assert "Infosys Technologies Limited" not in aliases(db, target)
    found = search.similar_names(db, "Infosys Technologies Limited")
    assert all(b.id != target.id for b, _ in found)


def test_a_close_spelling_is_kept_as_matched(db, settings, factory):
    member = Actor.of(factory.member_user())
    target = businesses.create(db, SYSTEM, "Lakshmi Paper Mart", city="Surat", email="l@x.example")
    filing.file_complaint(
        db,
        settings,
        member,
        filing_request(debtor=debtors.DebtorIn(name="Laxmi Paper Mart", business_id=target.id)),
    )
    assert aliases(db, target) == {"Laxmi Paper Mart": "filing_matched"}


def test_a_spelling_with_the_businesss_gstin_is_kept_as_identified(db, settings, factory):
    member = Actor.of(factory.member_user())
    gstin = gstin_for("24", "ABCFL1111A")
    target = businesses.create(db, SYSTEM, "Lakshmi Paper Mart", gstin=gstin, email="l@x.example")
    filing.file_complaint(
        db,
        settings,
        member,
        filing_request(debtor=debtors.DebtorIn(name="LPM Surat", gstin=gstin)),
    )
    assert aliases(db, target) == {"LPM Surat": "filing_identified"}
