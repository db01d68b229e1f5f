"""Merging duplicates moves everything and can be undone exactly."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry.actors import SYSTEM, Actor
from registry.complaints import filing
from registry.directory import businesses, debtors, merges, search
from registry.errors import Conflict, InvalidTransition, ValidationFailed
from registry.identifiers import gstin_for
from registry.models import AuditEntry, Watch, utcnow
from registry.reports import credit_report
from tests.conftest import filing_request


@pytest.fixture
def pair(db, settings, factory):
    member = Actor.of(factory.member_user())
    keep = filing.file_complaint(db, settings, member, filing_request()).complaint.business
    gone = businesses.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat", email="lpm@x.example")
    other = Actor.of(factory.member_user())
    moved = filing.file_complaint(
        db,
        settings,
        other,
        filing_request(debtor=debtors.DebtorIn(name="Laxmi Paper Mart", business_id=gone.id)),
    ).complaint
    db.add(Watch(member_id=other.member_id, business_id=gone.id))
    db.flush()
    return keep, gone, moved


def test_merge_moves_complaints_watches_and_keeps_the_old_name(db, pair):
    keep, gone, moved = pair
    record = merges.merge(db, keep.id, gone.id, SYSTEM)
    db.refresh(moved)
    assert moved.business_id == keep.id and all(i.business_id == keep.id for i in moved.invoices)
    assert db.scalar(select(Watch.business_id)) == keep.id
    assert "Laxmi Paper Mart" in [a.name for a in keep.aliases]
    assert businesses.get(db, gone.id).id == keep.id
    assert [h.business.id for h in search.search(db, "Laxmi Paper Mart", city="Surat").hits][
        :1
    ] == [keep.id]
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "merged")).note.startswith(
        f"#{gone.id}"
    )
    merges.undo(db, record.id, SYSTEM)
    db.refresh(moved)
    assert moved.business_id == gone.id and db.scalar(select(Watch.business_id)) == gone.id
    assert businesses.get(db, gone.id).id == gone.id
    assert "Laxmi Paper Mart" not in [a.name for a in keep.aliases if a.source == "merge"]
    with pytest.raises(InvalidTransition):
        merges.undo(db, record.id, SYSTEM)


def test_merges_that_must_not_happen(db, pair):
    keep, gone, _ = pair
    other_pan = businesses.create(
        db, SYSTEM, "Lakshmi Paper Mart", gstin=gstin_for("24", "ABCFL9999Z")
    )
    cases = [
        (keep.id, keep.id, "itself"),
        (keep.id, 999999, "no such business"),
        (keep.id, other_pan.id, "different legal entities"),
    ]
    for a, b, message in cases:
        with pytest.raises(ValidationFailed) as caught:
            merges.merge(db, a, b, SYSTEM)
        assert message in " ".join(caught.value.fields.values())
    merges.merge(db, keep.id, gone.id, SYSTEM)
    with pytest.raises(ValidationFailed) as caught:
        merges.merge(db, keep.id, gone.id, SYSTEM)
    assert "already merged" in caught.value.fields["merge"]


def test_the_same_invoice_cannot_be_reported_against_both_so_the_merge_goes_through(
    db, settings, factory
):
    """An invoice number is unique per member and financial year whichever debtor it
    names: the second filing is refused, so the merge never meets the same invoice on
    both sides (the merge's own check stays for data older than that rule)."""
    member = Actor.of(factory.member_user())
    a = filing.file_complaint(db, settings, member, filing_request()).complaint.business
    b = businesses.create(db, SYSTEM, "Lakshmi Paper", city="Surat", email="b@x.example")
    with pytest.raises(Conflict) as caught:
        filing.file_complaint(
            db,
            settings,
            member,
            filing_request(debtor=debtors.DebtorIn(name="Lakshmi Paper", business_id=b.id)),
        )
    assert caught.value.code == "duplicate_invoice"
    merges.merge(db, a.id, b.id, SYSTEM)
    assert b.merged_into_id == a.id


def test_a_merge_whose_names_the_survivor_has_as_aliases_already(db):
    # Found by the index copy's property test: the merge used to add the same alias
    # twice and fail on the database's uniqueness rule.
    keep = businesses.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    gone = businesses.create(db, SYSTEM, "Balaji Trading Co", city="Pune")
    businesses.add_alias(db, keep, "Balaji Trading Co", "filing")
    businesses.add_alias(db, keep, "SBT Pune", "filing")
    businesses.add_alias(db, gone, "SBT Pune", "filing")
    businesses.add_alias(db, gone, "Balaji Trading Company", "filing")
    record = merges.merge(db, keep.id, gone.id, SYSTEM)
    db.expire_all()
    names = sorted(a.name for a in keep.aliases)
    assert names == ["Balaji Trading Co", "Balaji Trading Company", "SBT Pune"]
    assert search.search(db, "Balaji Trading Company").hits[0].business.id == keep.id
    merges.undo(db, record.id, SYSTEM)
    db.expire_all()
    assert sorted(a.name for a in keep.aliases) == ["Balaji Trading Co", "SBT Pune"]
    assert sorted(a.name for a in gone.aliases) == ["Balaji Trading Company", "SBT Pune"]


def test_undo_takes_back_what_the_merge_filled_in(db, settings, factory):
    """Found by the life-cycle machine: the survivor kept the PAN (and city, state, email)
    it took from the merged record, so after an undo the two were still one legal entity:
    each one's complaints in the other's report, both found by the PAN."""
    member = Actor.of(factory.member_user())
    gone = filing.file_complaint(db, settings, member, filing_request()).complaint.business
    keep = businesses.create(db, SYSTEM, "Lakshmi Paper Mart")
    record = merges.merge(db, keep.id, gone.id, SYSTEM)
    assert (keep.pan, keep.city, keep.email) == (gone.pan, gone.city, gone.email)
    merges.undo(db, record.id, SYSTEM)
    db.expire_all()
    assert (keep.pan, keep.city, keep.state, keep.email) == (None, None, None, None)
    assert [h.business.id for h in search.search(db, gone.pan).hits] == [gone.id]
    assert credit_report.build_report(db, keep.id, utcnow())["business"]["gstins"] == []


def test_undo_leaves_what_the_survivor_had_of_its_own(db):
    keep = businesses.create(db, SYSTEM, "Om Traders", city="Pune", email="om@x.example")
    gone = businesses.create(db, SYSTEM, "Om Traders Pune", city="Nashik", state="Maharashtra")
    record = merges.merge(db, keep.id, gone.id, SYSTEM)
    assert (keep.city, keep.state) == ("Pune", "Maharashtra")
    merges.undo(db, record.id, SYSTEM)
    db.expire_all()
    assert (keep.city, keep.state, keep.email) == ("Pune", None, "om@x.example")


def test_undo_leaves_a_pan_a_later_merge_filled_in(db):
    """Found by the life-cycle machine (its model was wrong, the code right): undoing the
    first of two merges into one survivor takes back only what that merge filled in, not
    the PAN the second one brought."""
    keep = businesses.create(db, SYSTEM, "Om Traders")
    first = businesses.create(db, SYSTEM, "Om Trader")
    second = businesses.create(
        db, SYSTEM, "Om Traders Surat", gstin=gstin_for("24", "ABCFO1234D"), city="Surat"
    )
    record = merges.merge(db, keep.id, first.id, SYSTEM)
    merges.merge(db, keep.id, second.id, SYSTEM)
    merges.undo(db, record.id, SYSTEM)
    db.expire_all()
    assert (keep.pan, keep.city) == ("ABCFO1234D", "Surat")
    assert [h.business.id for h in search.search(db, "ABCFO1234D").hits] == [keep.id]


def test_undo_leaves_the_pan_of_a_gstin_filed_against_the_survivor(db, settings, factory):
    """While the merge stood, a filing with another GSTIN of the merged record's PAN joined
    the survivor (one PAN, one legal entity). The undo sends the merged record's own GSTIN
    back, but that GSTIN stays: so does its PAN, and a search by the PAN finds both records
    (the survivor with the complaint filed under its GSTIN)."""
    member = Actor.of(factory.member_user())
    gone = filing.file_complaint(db, settings, member, filing_request()).complaint.business
    keep = businesses.create(db, SYSTEM, "Lakshmi Paper Mart")
    record = merges.merge(db, keep.id, gone.id, SYSTEM)
    later = filing.file_complaint(
        db,
        settings,
        Actor.of(factory.member_user()),
        filing_request(
            debtor=debtors.DebtorIn(
                name="Lakshmi Paper Mart",
                gstin=gstin_for("27", "ABCFL1111A"),
                city="Pune",
                email="pune@lakshmi-paper.example",
            )
        ),
    ).complaint
    assert later.business_id == keep.id
    merges.undo(db, record.id, SYSTEM)
    db.expire_all()
    assert keep.pan == gone.pan == "ABCFL1111A"
    assert [g.gstin for g in keep.gstins] == [gstin_for("27", "ABCFL1111A")]
    assert [g.gstin for g in gone.gstins] == [gstin_for("24", "ABCFL1111A")]
    assert sorted(h.business.id for h in search.search(db, "ABCFL1111A").hits) == sorted(
        [gone.id, keep.id]
    )


def test_undo_leaves_the_pan_of_another_record_merged_in(db):
    """Two records of one PAN merged into a third: undoing the first merge (which gave the
    survivor the PAN) leaves it, since the second record, still merged in, has it too."""
    keep = businesses.create(db, SYSTEM, "Om Traders")
    first = businesses.create(db, SYSTEM, "Om Trader", pan="ABCFO1234D")
    second = businesses.create(db, SYSTEM, "Om Traders Pvt", pan="ABCFO1234D")
    record = merges.merge(db, keep.id, first.id, SYSTEM)
    merges.merge(db, keep.id, second.id, SYSTEM)
    merges.undo(db, record.id, SYSTEM)
    db.expire_all()
    assert keep.pan == "ABCFO1234D"
    assert sorted(h.business.id for h in search.search(db, "ABCFO1234D").hits) == sorted(
        [first.id, keep.id]
    )


def test_the_same_number_in_another_financial_year_does_not_stop_a_merge(db, settings, factory):
    """Invoice numbers start again each April: a member's "LP/101" of last year and of this
    year are two invoices, so the two businesses they name can be merged (found by the
    complaint life-cycle machine: the merge refused them as the same invoice)."""
    member = Actor.of(factory.member_user())
    today = date.today()
    this_year = filing.InvoiceIn(
        "LP/101", today - timedelta(days=90), today - timedelta(days=60), 500000_00, 0
    )
    last_year = filing.InvoiceIn(
        "LP/101", today - timedelta(days=500), today - timedelta(days=470), 300000_00, 0
    )
    a = filing.file_complaint(
        db, settings, member, filing_request(invoices=[this_year])
    ).complaint.business
    b = businesses.create(db, SYSTEM, "Lakshmi Paper", city="Surat", email="b@x.example")
    moved = filing.file_complaint(
        db,
        settings,
        member,
        filing_request(
            debtor=debtors.DebtorIn(name="Lakshmi Paper", business_id=b.id), invoices=[last_year]
        ),
    ).complaint
    merges.merge(db, a.id, b.id, SYSTEM)
    db.refresh(moved)
    assert b.merged_into_id == a.id and moved.business_id == a.id
