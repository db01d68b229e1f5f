"""The names filings gave businesses before names had provenance are held to today's rule
(issue 17, "existing data: the aliases that came from filings are re-judged"): a close
spelling stays a search name, an unrelated one leaves search and is kept on its complaint
"as reported" for an admin to judge."""

from __future__ import annotations

from alembic import command
from click.testing import CliRunner
from sqlalchemy import select, text

from registry import migrate
from registry.actors import SYSTEM, Actor
from registry.cli import main as cli
from registry.complaints import filing
from registry.db import make_engine, make_sessionmaker
from registry.directory import aliases, businesses, debtors, search
from registry.mailer import FileMailer
from registry.models import AuditEntry, BusinessAlias, Complaint
from registry.worker import run_once
from tests.conftest import Factory, filing_request

TRUSTED = "Shree Ganesh Cotton Traders"
CLOSE = "Shri Ganesh Cotton Trading Co"
PLANTED = "Zenith Innocent Polymers Pvt Ltd"


def finds(session, name: str, business_id: int) -> bool:
    return any(b.id == business_id and s >= 90 for b, s in search.similar_names(session, name))


def legacy_filing(session, settings, factory: Factory, *names: str):
    """A business, a complaint filed against it, and the spellings that filing's era made
    search names (as migration 0026 leaves them: `filing_unjudged`, none kept on the
    complaint)."""
    business = businesses.create(session, SYSTEM, TRUSTED, city="Surat", state="Gujarat")
    session.flush()
    request = filing_request(
        debtor=debtors.DebtorIn(name=TRUSTED, business_id=business.id, email="a@ganesh.example")
    )
    complaint = filing.file_complaint(
        session, settings, Actor.of(factory.member_user()), request
    ).complaint
    complaint.debtor_name_as_reported = None
    for name in names:
        businesses.add_alias(session, business, name, aliases.UNJUDGED)
    session.flush()
    return business, complaint


def test_a_planted_name_leaves_search_and_a_close_one_stays(db, settings, factory):
    business, complaint = legacy_filing(db, settings, factory, CLOSE, PLANTED)
    assert finds(db, PLANTED, business.id)  # the attack, as old data holds it

    assert aliases.rejudge(db) == 2
    db.expire_all()

    assert not finds(db, PLANTED, business.id)
    assert finds(db, CLOSE, business.id)
    sources = {a.name: a.source for a in business.aliases}
    assert sources == {CLOSE: "filing_matched"}
    assert complaint.debtor_name_as_reported == PLANTED
    assert PLANTED in businesses.names_as_reported(db, business)
    notes = db.scalars(select(AuditEntry.note).where(AuditEntry.action == "alias_rejudged")).all()
    assert sorted(n.split(":")[0] for n in notes) == sorted([CLOSE, PLANTED])
    assert aliases.rejudge(db) == 0  # nothing left: idempotent


def test_two_planted_names_cannot_vouch_for_each_other(db, settings, factory):
    twin = "Zenith Innocent Polymers"
    business, _ = legacy_filing(db, settings, factory, PLANTED, twin)
    aliases.rejudge(db)
    db.expire_all()
    assert business.aliases == []
    assert not finds(db, twin, business.id) and not finds(db, PLANTED, business.id)
    # both stay visible to the admin: one on the complaint filed with it, one on the
    # business's earliest complaint that had room (there is only one here)
    assert len(businesses.names_as_reported(db, business)) == 1


def test_the_worker_rejudges_and_the_admin_can_add_the_name_back(
    db, settings, factory, session_factory, auth, client, tmp_path
):
    business, _ = legacy_filing(db, settings, factory, PLANTED)
    admin = factory.admin()
    db.commit()
    done = run_once(session_factory, FileMailer(tmp_path / "mail"), settings, sweep=False)
    assert done.aliases_rejudged == 1
    db.expire_all()
    assert business.aliases == [] and not finds(db, PLANTED, business.id)

    auth.login(admin.email)
    page = client.get(f"/admin/businesses/{business.id}").get_data(as_text=True)
    listed = page[page.index('id="as-reported"') :]
    assert PLANTED in listed
    added = client.post(f"/admin/businesses/{business.id}/aliases", data={"name": PLANTED})
    assert added.status_code in (302, 303)
    db.expire_all()
    assert [(a.name, a.source) for a in business.aliases] == [(PLANTED, "admin")]
    assert finds(db, PLANTED, business.id)


def test_an_admin_removes_a_name_from_the_business_page(db, factory, auth, client):
    business = businesses.create(db, SYSTEM, TRUSTED, city="Surat")
    businesses.add_alias(db, business, PLANTED, "filing_matched")
    member, admin = factory.member_user(), factory.admin()
    db.commit()
    alias_id = business.aliases[0].id
    path = f"/admin/businesses/{business.id}/aliases/{alias_id}/remove"

    auth.login(member.email)
    assert client.post(path).status_code in (302, 403, 404)  # admins only
    db.expire_all()
    assert finds(db, PLANTED, business.id)
    auth.logout()

    auth.login(admin.email)
    page = client.get(f"/admin/businesses/{business.id}").get_data(as_text=True)
    assert "from a filing, close to its names" in page  # where it came from, in words
    done = client.post(path)
    assert done.status_code == 303
    db.expire_all()
    assert business.aliases == [] and not finds(db, PLANTED, business.id)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "alias_removed"))
    assert entry is not None and PLANTED in (entry.note or "")
    assert client.post(path).status_code == 404  # gone already


def test_init_db_rejudges_after_migrating(database_server, settings, monkeypatch):
    url = database_server.new_url()
    config = migrate.alembic_config(url)
    command.upgrade(config, "head")
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        business, complaint = legacy_filing(session, settings, Factory(session), CLOSE, PLANTED)
        business_id, complaint_id = business.id, complaint.id
    command.downgrade(config, "0025_name_as_reported")
    with engine.begin() as conn:  # as the code before provenance wrote them
        conn.execute(text("UPDATE business_aliases SET source = 'filing'"))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert set(conn.execute(text("SELECT source FROM business_aliases")).scalars()) == {
            aliases.UNJUDGED
        }

    monkeypatch.setenv("DATABASE_URL", url)
    answer = CliRunner().invoke(cli, ["init-db"])
    assert answer.exit_code == 0, answer.output
    assert "re-judged 2 search names" in answer.output
    with make_sessionmaker(engine)() as session:
        kept = session.execute(
            select(BusinessAlias.name, BusinessAlias.source).where(
                BusinessAlias.business_id == business_id
            )
        ).all()
        assert kept == [(CLOSE, "filing_matched")]
        assert session.get(Complaint, complaint_id).debtor_name_as_reported == PLANTED
        assert not finds(session, PLANTED, business_id)
    engine.dispose()
