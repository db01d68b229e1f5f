"""`import-businesses` rows may carry the business's own email and mobile: the one source
of contacts besides the business itself."""

from __future__ import annotations

from registry.actors import SYSTEM
from registry.directory import import_businesses
from registry.identifiers import gstin_for
from registry.models import Business

GSTIN = gstin_for("27", "ABCFK7777K")


def load(db, tmp_path, text):
    path = tmp_path / "directory.csv"
    path.write_text(text, encoding="utf-8")
    return import_businesses.import_file(db, path, SYSTEM)


def test_contacts_are_loaded_normalised_and_marked_as_from_the_directory(db, tmp_path):
    report = load(
        db,
        tmp_path,
        "name,gstin,pan,city,state,email,mobile\n"
        f"Kesar Exports,{GSTIN},,Pune,Maharashtra,Accounts@Kesar.example,098765 43210\n"
        "No Contacts Ltd,,,Pune,Maharashtra,,\n",
    )
    assert report.counts()["created"] == 2
    kesar = db.get(Business, report.outcomes[0].business_id)
    assert (kesar.email, kesar.mobile, kesar.contacts_source) == (
        "accounts@kesar.example",
        "+919876543210",
        "import",
    )
    bare = db.get(Business, report.outcomes[1].business_id)
    assert (bare.email, bare.mobile, bare.contacts_source) == (None, None, None)


def test_a_bad_contact_refuses_its_line_only(db, tmp_path):
    report = load(
        db,
        tmp_path,
        "name,gstin,pan,city,state,email,mobile\n"
        "Bad Mail,,,Pune,MH,not-an-email,\n"
        "Landline,,,Pune,MH,,020 2612 3456\n"
        "Good One,,,Pune,MH,ok@good.example,\n",
    )
    errors = {o.line: o.error for o in report.outcomes if o.status == "error"}
    assert errors[2].startswith("email:") and errors[3].startswith("mobile:")
    assert report.counts()["created"] == 1


def test_a_later_load_updates_contacts_but_never_over_the_business_own(db, tmp_path):
    first = load(db, tmp_path, f"name,gstin,pan,city,state\nKesar Exports,{GSTIN},,Pune,MH\n")
    business = db.get(Business, first.outcomes[0].business_id)
    assert business.contacts_source is None
    load(
        db,
        tmp_path,
        f"name,gstin,pan,city,state,email\nKesar Exports,{GSTIN},,Pune,MH,a@k.example\n",
    )
    db.refresh(business)
    assert (business.email, business.contacts_source) == ("a@k.example", "import")
    business.email, business.contacts_source = "own@k.example", "business"  # after claiming
    db.flush()
    load(
        db,
        tmp_path,
        f"name,gstin,pan,city,state,email\nKesar Exports,{GSTIN},,Pune,MH,b@k.example\n",
    )
    db.refresh(business)
    assert (business.email, business.contacts_source) == ("own@k.example", "business")
