"""A search through the API asks the database as little as it can: the key and what
changed in the name index since the worker's copy in one statement, then the businesses
shown (with their complaints' counts and their legal entity's GSTINs); a GSTIN or a PAN
finds what it shows in that one statement too."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, update

from registry.actors import SYSTEM
from registry.db import GENERIC_PLAN
from registry.directory import businesses, search
from registry.identifiers import gstin_for
from registry.models import Business


@contextmanager
def counted(connection):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        # the tests' savepoints stand in for each request's own transaction
        if "SAVEPOINT" not in statement:
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", seen)


def test_a_search_request_reads_the_key_and_the_index_changes_in_one_statement(
    client, db, factory, connection
):
    marwar = businesses.create(db, SYSTEM, "Marwar Steel Traders", city="Jodhpur")
    headers = {"Authorization": f"Bearer {factory.api_key(factory.member_user())}"}
    url = "/api/v1/businesses/search?q=Marwar Steel&city=Jodhpur"
    assert client.get(url, headers=headers).json["results"][0]["business_id"] == marwar.id
    with counted(connection) as statements:
        found = client.get(url, headers=headers).json
    assert found["results"][0]["business_id"] == marwar.id
    # the key with the index's changes (none), then the businesses shown with their
    # complaints' counts and GSTINs (on PostgreSQL with their generic plan, asked for
    # first: see the next test)
    reads = [s for s in statements if s != GENERIC_PLAN]
    assert len(reads) == 2, statements
    assert "search_index_changes" in reads[0] and "api_keys" in reads[0]
    assert len(statements) == (3 if connection.dialect.name == "postgresql" else 2)

    # a business added since: the copy catches up from the rows read with the key
    later = businesses.create(db, SYSTEM, "Marwar Steel Works", city="Jodhpur")
    with counted(connection) as statements:
        found = client.get(
            "/api/v1/businesses/search?q=Marwar Steel Works&city=Jodhpur", headers=headers
        ).json
    assert found["results"][0]["business_id"] == later.id
    assert sum("search_index_changes" in s for s in statements) == 1, statements


def test_a_name_search_plans_the_businesses_it_shows_once_per_connection(db, connection):
    """On PostgreSQL the shown businesses' statement (ids in an array) ran with a plan
    made for each search's ids, 0.5 ms of the database's CPU every time for the same
    plan. Past the driver's first few calls it is a prepared statement, and it now runs
    its generic plan, made once; the answers are the same."""
    if connection.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plans")
    made = [
        businesses.create(db, SYSTEM, f"Marwar Steel {word}", city="Jodhpur")
        for word in ("Traders", "Works", "Suppliers", "Corporation")
    ]
    answers = [
        [hit.business.id for hit in search.search(db, "Marwar Steel", city="Jodhpur").hits]
        for _ in range(8)
    ]
    assert all(sorted(ids) == sorted(b.id for b in made) for ids in answers)
    plans = connection.exec_driver_sql(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
        " WHERE statement LIKE '%%counted.listed%%'"
    ).all()
    assert plans and sum(generic for generic, _ in plans) >= 1, plans
    assert all(custom == 0 for _, custom in plans), plans


def test_a_revoked_key_reads_no_index_and_finds_nothing(client, db, factory, connection):
    businesses.create(db, SYSTEM, "Marwar Steel Traders", city="Jodhpur")
    with counted(connection) as statements:
        answer = client.get(
            "/api/v1/businesses/search?q=Marwar", headers={"Authorization": "Bearer kr_nope"}
        )
    assert answer.status_code == 401
    assert len(statements) == 1, statements  # the key alone: no search was made


def test_a_gstin_or_pan_search_reads_what_it_shows_in_one_statement(
    client, db, factory, connection
):
    pan = "FZQCH7795U"
    head = businesses.create(
        db, SYSTEM, "Hegde Hosiery Private Limited", gstin=gstin_for("19", pan), city="Durgapur"
    )
    branch = businesses.create(
        db, SYSTEM, "Hegde Hosiery Pvt Ltd", gstin=gstin_for("27", pan), city="Kolkata"
    )
    headers = {"Authorization": f"Bearer {factory.api_key(factory.member_user())}"}
    client.get(f"/api/v1/businesses/search?q={pan}", headers=headers)  # the key marked used
    both = sorted([gstin_for("19", pan), gstin_for("27", pan)])

    with counted(connection) as statements:
        found = client.get(f"/api/v1/businesses/search?q={gstin_for('27', pan)}", headers=headers)
    assert [(r["business_id"], r["gstins"]) for r in found.json["results"]] == [(branch.id, both)]
    assert len(statements) == 2, statements  # the key, then the business shown

    with counted(connection) as statements:
        found = client.get(f"/api/v1/businesses/search?q={pan.lower()}", headers=headers)
    assert found.json["kind"] == "pan"
    assert [(r["business_id"], r["gstins"]) for r in found.json["results"]] == [
        (head.id, both),
        (branch.id, both),
    ]
    assert len(statements) == 2, statements

    with counted(connection) as statements:
        found = client.get(f"/api/v1/businesses/{branch.id}", headers=headers)
    assert (found.json["business_id"], found.json["gstins"]) == (branch.id, both)
    reads = [s for s in statements if s != GENERIC_PLAN]
    assert len(reads) == 3, statements  # the key, the business, what is shown of it


def test_a_gstin_left_on_a_merged_business_answers_its_survivor(db):
    """A merge moves the GSTINs to the business kept; should one be left behind, a search
    for it still answers the live business, never the one merged away."""
    keep = businesses.create(db, SYSTEM, "Om Sai Traders", gstin=gstin_for("27", "AAAPL1234C"))
    gone = businesses.create(db, SYSTEM, "Om Sai Trader", gstin=gstin_for("27", "BBBPL1234C"))
    db.execute(update(Business).where(Business.id == gone.id).values(merged_into_id=keep.id))
    db.expire_all()
    hits = search.search(db, gstin_for("27", "BBBPL1234C")).hits
    assert [(h.business.id, h.score) for h in hits] == [(keep.id, 100.0)]
    assert hits[0].gstins == [gstin_for("27", "AAAPL1234C")]
