"""The debtor's two reminders before the notice period ends: who they reach, when they are
due, and what a worker round reads to find them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import event, select

from registry.actors import SYSTEM, Actor
from registry.complaints import filing, life
from registry.complaints.notices import reminders
from registry.db import make_sessionmaker
from registry.directory import debtors, import_businesses
from registry.identifiers import gstin_for
from registry.models import Complaint, OutboxMessage
from tests.conftest import Factory, filing_request
from tests.test_migrations import at_head

GSTIN = gstin_for("27", "AAHFM7373M")


@pytest.fixture
def member(factory):
    return Actor.of(factory.member_user(name="Shree Ganesh Textiles"))


def sent(db, kind):
    query = select(OutboxMessage.to_address).where(OutboxMessage.kind == kind)
    return sorted(db.scalars(query))


def file_against_a_directory_business(db, settings, member, tmp_path):
    """A debtor known from a directory load with its own email; the reporter gives none."""
    path = tmp_path / "directory.csv"
    path.write_text(
        f"name,gstin,pan,city,state,email\nMehta Kirana Stores,{GSTIN},,Pune,Maharashtra,"
        "owner@mehta-kirana.example\n",
        "utf-8",
    )
    import_businesses.import_file(db, path, SYSTEM)
    request = filing_request(debtor=debtors.DebtorIn(name="Mehta Kirana Stores", gstin=GSTIN))
    return filing.file_complaint(db, settings, member, request).complaint


def test_reminders_reach_a_debtor_the_reporter_gave_no_contact_for(db, settings, member, tmp_path):
    complaint = file_against_a_directory_business(db, settings, member, tmp_path)
    assert complaint.debtor_email is None and complaint.debtor_mobile is None
    assert sent(db, "notice") == ["owner@mehta-kirana.example"]  # both languages in one
    period = complaint.notice_ends_at - complaint.notice_sent_at

    assert reminders.send_due_reminders(db, settings, complaint.notice_sent_at + period * 0.6) == 1
    assert sent(db, "notice_reminder") == ["owner@mehta-kirana.example"]
    assert complaint.reminders_sent == 1
    second = complaint.notice_ends_at - timedelta(days=1)
    assert reminders.send_due_reminders(db, settings, second) == 1
    assert sent(db, "notice_reminder") == ["owner@mehta-kirana.example"] * 2
    assert complaint.reminders_sent == 2


def test_a_reminder_with_no_one_to_reach_waits_for_a_contact(db, settings, member, tmp_path):
    complaint = file_against_a_directory_business(db, settings, member, tmp_path)
    business = complaint.business
    business.email, business.contacts_source = None, None  # its contacts gone since
    due = complaint.next_reminder_at
    later = complaint.notice_sent_at + (complaint.notice_ends_at - complaint.notice_sent_at) * 0.6
    assert reminders.send_due_reminders(db, settings, later) == 0
    assert (complaint.reminders_sent, complaint.next_reminder_at) == (0, due)
    business.email, business.contacts_source = "owner@mehta-kirana.example", "business"  # claimed
    assert reminders.send_due_reminders(db, settings, later) == 1
    assert sent(db, "notice_reminder") == ["owner@mehta-kirana.example"]


def test_a_round_reads_only_the_complaints_whose_reminder_is_due(db, settings, member):
    invoice = filing_request().invoices[0]
    in_notice = [
        filing.file_complaint(
            db,
            settings,
            member,
            filing_request(
                debtor=debtors.DebtorIn(
                    name=f"Debtor {n} Traders",
                    gstin=gstin_for("24", f"ABCFD{n:04d}A"),
                    email=f"d{n}@debtors.example",
                ),
                invoices=[replace(invoice, number=f"INV-{n}")],
            ),
        ).complaint
        for n in range(1, 6)
    ]
    ids = sorted(c.id for c in in_notice)
    start, ends = in_notice[0].notice_sent_at, in_notice[0].notice_ends_at
    db.flush()
    db.expunge_all()  # what a round reads is loaded anew (the "load" event)
    loaded: list[int] = []

    def read(target, _context):
        loaded.append(target.id)

    event.listen(Complaint, "load", read)
    try:
        assert reminders.send_due_reminders(db, settings, start + timedelta(hours=1)) == 0
        assert loaded == []  # none of the five in notice was read: none is due
        halfway = start + (ends - start) * 0.6
        assert reminders.send_due_reminders(db, settings, halfway) == 5
        assert sorted(loaded) == ids
        loaded.clear()
        db.flush()
        db.expunge_all()
        assert reminders.send_due_reminders(db, settings, halfway) == 0
        assert loaded == []  # the first reminders went and the second is not due yet
        assert reminders.send_due_reminders(db, settings, ends - timedelta(days=1)) == 5
    finally:
        event.remove(Complaint, "load", read)


def test_the_migration_schedules_the_complaints_already_in_notice(
    database_server, settings, tmp_path
):
    config, engine = at_head(database_server)
    with make_sessionmaker(engine).begin() as session:
        member = Actor.of(Factory(session).member_user())
        first = file_against_a_directory_business(session, settings, member, tmp_path)
        request = filing_request(invoices=[replace(filing_request().invoices[0], number="B-2")])
        second = filing.file_complaint(session, settings, member, request).complaint
        second.reminders_sent = 1
        reminders.schedule(second)
        due = {first.id: first.next_reminder_at, second.id: second.next_reminder_at}
        assert due[second.id] == second.notice_ends_at - timedelta(days=2)
        withdrawn = filing.file_complaint(
            session,
            settings,
            member,
            filing_request(invoices=[replace(filing_request().invoices[0], number="B-3")]),
        ).complaint
        life.withdraw(session, withdrawn, member, settings=settings)
        assert withdrawn.next_reminder_at is None
        due[withdrawn.id] = None
    command.downgrade(config, "0030_gstin_pan_index")
    command.upgrade(config, "head")
    with make_sessionmaker(engine)() as session:
        found = dict(session.execute(select(Complaint.id, Complaint.next_reminder_at)).all())
    assert found == due
    engine.dispose()
