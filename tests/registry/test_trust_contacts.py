"""A reporter-given email belongs to its complaint: one member's filing never decides where
another member's notice goes (the first filer used to become every later notice's address)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry.actors import Actor
from registry.complaints import filing
from registry.directory import debtors
from registry.errors import ValidationFailed
from registry.identifiers import gstin_for
from registry.models import Business, OutboxMessage
from tests.conftest import filing_request

TODAY = date.today()
GSTIN = gstin_for("24", "ABCFT4242T")


def request(email=None, number="T/1", business_id=None):
    return filing_request(
        debtor=debtors.DebtorIn(
            name="Tulsi Traders",
            gstin=None if business_id else GSTIN,
            business_id=business_id,
            email=email,
        ),
        invoices=[
            filing.InvoiceIn(
                number, TODAY - timedelta(days=90), TODAY - timedelta(days=60), 100000_00
            )
        ],
    )


def notices_to(db):
    return list(
        db.scalars(
            select(OutboxMessage.to_address)
            .where(OutboxMessage.kind == "notice")
            .order_by(OutboxMessage.id)
        )
    )


@pytest.fixture
def rival_first(db, settings, factory):
    """A first member files naming its own address as the debtor's."""
    rival = Actor.of(factory.member_user())
    first = filing.file_complaint(db, settings, rival, request("rival@example.com")).complaint
    return first.business


def test_a_filing_leaves_the_business_without_a_contact(db, rival_first):
    assert rival_first.email is None
    assert notices_to(db) == ["rival@example.com"]  # its own complaint's notice only


def test_a_later_filing_without_an_email_is_refused_not_sent_to_the_first_filer(
    db, settings, factory, rival_first
):
    second = Actor.of(factory.member_user())
    with pytest.raises(ValidationFailed) as caught:
        filing.file_complaint(db, settings, second, request(business_id=rival_first.id))
    assert "notice" in caught.value.fields["debtor.email"]
    assert notices_to(db) == ["rival@example.com"]


def test_a_later_filing_goes_to_its_own_email_only(db, settings, factory, rival_first):
    second = Actor.of(factory.member_user())
    filed = filing.file_complaint(
        db, settings, second, request("accounts@tulsi.example", business_id=rival_first.id)
    )
    assert filed.complaint.debtor_email == "accounts@tulsi.example"
    assert notices_to(db) == ["rival@example.com", "accounts@tulsi.example"]
    assert db.get(Business, rival_first.id).email is None


def test_a_contact_from_the_directory_still_receives_the_notice(db, settings, factory, rival_first):
    rival_first.email = "owner@tulsi.example"  # as `import-businesses` loads it
    rival_first.contacts_source = "import"
    db.flush()
    second = Actor.of(factory.member_user())
    filing.file_complaint(db, settings, second, request(business_id=rival_first.id))
    assert notices_to(db)[-1] == "owner@tulsi.example"


def test_an_email_a_filing_once_stored_on_the_business_reaches_no_later_notice(
    db, settings, factory, rival_first
):
    rival_first.email = "rival@example.com"  # stored by a filing before migration 0019
    db.flush()
    second = Actor.of(factory.member_user())
    with pytest.raises(ValidationFailed):
        filing.file_complaint(db, settings, second, request(business_id=rival_first.id))
    filing.file_complaint(
        db, settings, second, request("owner@tulsi.example", "T/2", rival_first.id)
    )
    assert notices_to(db) == ["rival@example.com", "owner@tulsi.example"]


def test_a_mobile_from_the_directory_is_enough_to_file_and_gets_the_notice(
    db, settings, factory, rival_first
):
    rival_first.mobile = "+919876543210"
    rival_first.contacts_source = "import"
    db.flush()
    second = Actor.of(factory.member_user())
    filed = filing.file_complaint(db, settings, second, request(business_id=rival_first.id))
    assert filed.complaint.debtor_email is None
    texts = db.scalars(
        select(OutboxMessage.channel).where(OutboxMessage.to_address == "+919876543210")
    ).all()
    assert sorted(texts) == ["sms", "sms", "whatsapp"]
