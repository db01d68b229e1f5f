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


def test_a_refused_spelling_stays_on_the_complaint_and_an_admin_may_add_it(
    client, db, settings, factory, auth
):
    member = Actor.of(factory.member_user())
    target = businesses.create(db, SYSTEM, "Lakshmi Paper Mart", city="Surat", email="l@x.example")
    filed = filing.file_complaint(
        db,
        settings,
        member,
        filing_request(debtor=debtors.DebtorIn(name="LPM Traders Surat", business_id=target.id)),
    )
    assert filed.complaint.debtor_name_as_reported == "LPM Traders Surat"
    assert "LPM Traders Surat" not in aliases(db, target)
    assert businesses.names_as_reported(db, target) == ["LPM Traders Surat"]

    admin = factory.admin()
    auth.login(admin.email)
    page = client.get(f"/admin/businesses/{target.id}").get_data(as_text=True)
    assert "LPM Traders Surat" in page and 'id="as-reported"' in page
    added = client.post(
        f"/admin/businesses/{target.id}/aliases", data={"name": "LPM Traders Surat"}
    )
    assert added.status_code == 302
    db.expire_all()
    assert aliases(db, target)["LPM Traders Surat"] == "admin"
    assert businesses.names_as_reported(db, target) == []
    assert any(b.id == target.id for b, _ in search.similar_names(db, "LPM Traders Surat"))


def test_an_admin_adds_a_name_through_the_api(client, db, factory):
    target = businesses.create(db, SYSTEM, "Kaveri Stores", city="Mysuru")
    db.flush()
    admin_key = factory.api_key(factory.admin())
    member_key = factory.api_key(factory.member_user())
    path = f"/api/v1/admin/businesses/{target.id}/aliases"
    body = {"name": "Cauvery Stores Mysore"}
    assert (
        client.post(path, json=body, headers={"Authorization": f"Bearer {member_key}"}).status_code
        == 404
    )
    made = client.post(path, json=body, headers={"Authorization": f"Bearer {admin_key}"})
    assert made.status_code == 201 and made.json["source"] == "admin"
    bad = client.post(path, json={"name": "x"}, headers={"Authorization": f"Bearer {admin_key}"})
    assert bad.status_code == 422
