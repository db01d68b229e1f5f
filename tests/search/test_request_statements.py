"""A search through the API asks the database as little as it can: the key and what
changed in the name index since the worker's copy in one statement, then the businesses
shown (with their complaints' counts and their legal entity's GSTINs)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from registry.actors import SYSTEM
from registry.directory import businesses


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
    # complaints' counts and GSTINs
    assert len(statements) == 2, statements
    assert "search_index_changes" in statements[0] and "api_keys" in statements[0]

    # a business added since: the copy catches up from the rows read with the key
    later = businesses.create(db, SYSTEM, "Marwar Steel Works", city="Jodhpur")
    with counted(connection) as statements:
        found = client.get(
            "/api/v1/businesses/search?q=Marwar Steel Works&city=Jodhpur", headers=headers
        ).json
    assert found["results"][0]["business_id"] == later.id
    assert sum("search_index_changes" in s for s in statements) == 1, statements


def test_a_revoked_key_reads_no_index_and_finds_nothing(client, db, factory, connection):
    businesses.create(db, SYSTEM, "Marwar Steel Traders", city="Jodhpur")
    with counted(connection) as statements:
        answer = client.get(
            "/api/v1/businesses/search?q=Marwar", headers={"Authorization": "Bearer kr_nope"}
        )
    assert answer.status_code == 401
    assert len(statements) == 1, statements  # the key alone: no search was made
