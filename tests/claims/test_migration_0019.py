"""0019 moves the emails filings stored on businesses onto the complaint that gave them:
none of them is the business's own contact any more."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from registry.actors import Actor
from registry.complaints import filing
from registry.db import make_sessionmaker
from registry.directory import debtors
from registry.identifiers import gstin_for
from tests.conftest import Factory, filing_request
from tests.test_migrations import at_head, invoice

GSTIN = gstin_for("24", "ABCFT4343T")


def test_0019_moves_filing_emails_off_businesses(database_server, settings):
    config, engine = at_head(database_server)
    with make_sessionmaker(engine).begin() as session:
        factory = Factory(session)
        ids = []
        for number, email in (("A-1", "rival@example.com"), ("A-2", "accounts@tulsi.example")):
            request = filing_request(
                debtor=debtors.DebtorIn(name="Tulsi Traders", gstin=GSTIN, email=email),
                invoices=[invoice(number)],
            )
            member = Actor.of(factory.member_user())
            ids.append(filing.file_complaint(session, settings, member, request).complaint.id)
    first, second = ids
    command.downgrade(config, "0023_debtor_mobile")
    with engine.begin() as conn:  # as the code before 0019 left it: the first filer's email stored
        conn.execute(text("UPDATE businesses SET email = 'rival@example.com'"))
        conn.execute(
            text("UPDATE complaints SET debtor_email = NULL WHERE id = :id"), {"id": first}
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT email, contacts_source FROM businesses")).all() == [
            (None, None)
        ]
        emails = dict(conn.execute(text("SELECT id, debtor_email FROM complaints")).all())
    assert emails == {first: "rival@example.com", second: "accounts@tulsi.example"}
    engine.dispose()
