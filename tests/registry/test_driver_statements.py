"""A statement run on the driver's cursor (`registry.db.DriverStatement`) reads what
`Connection.execute` reads, in the session's transaction, and still passes SQLAlchemy's
cursor hooks and error handling: the key's statement and the shown businesses' are run
this way on every search."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, event, exc, select, text

from registry.actors import SYSTEM
from registry.db import DriverStatement, among, make_engine
from registry.directory import businesses
from registry.directory.identities import shown_reader, shown_statement
from registry.members import api_keys
from registry.models import Business, MemberStatus, Role, User
from registry.models.complaints import settled_shown_since


def dialect(db):
    return db.get_bind().dialect.name


def test_the_shown_businesses_read_as_connection_execute_reads_them(db, factory):
    pan = "FZQCH7795U"
    made = [
        businesses.create(db, SYSTEM, "Hegde Hosiery Private Limited", city="Durgapur"),
        businesses.create(db, SYSTEM, "Marwar Steel Traders", city="Jodhpur"),
    ]
    made[0].pan = pan
    db.flush()
    params = {"values": sorted(b.id for b in made), "settled_since": settled_shown_since()}
    statement = shown_statement("businesses_and_gstins", dialect(db))
    expected = [tuple(row) for row in db.connection().execute(statement, params)]
    read = shown_reader("businesses_and_gstins", dialect(db)).rows(db.connection(), params)
    assert read == expected
    assert sorted(row[1] for row in read) == [
        "Hegde Hosiery Private Limited",
        "Marwar Steel Traders",
    ]
    # the same statement again (compiled once) for other values
    again = {"values": [made[1].id], "settled_since": settled_shown_since()}
    assert [
        row[1]
        for row in shown_reader("businesses_and_gstins", dialect(db)).rows(db.connection(), again)
    ] == ["Marwar Steel Traders"]


def test_columns_and_constants_go_through_their_types(db, factory):
    """An enum the statement compares with (bound by value) and an enum column read back
    (as the enum, not its stored text)."""
    admin = factory.admin()
    member = factory.member_user()
    statement = (
        select(User.id, User.role, User.email)
        .where(User.id == bindparam("user_id"), User.role != Role.ADMIN)
        .order_by(User.id)
    )
    reader = DriverStatement(statement, ("user_id",))
    assert reader.rows(db.connection(), {"user_id": member.id}) == [
        (member.id, Role.MEMBER, member.email)
    ]
    assert reader.rows(db.connection(), {"user_id": admin.id}) == []


def test_a_key_is_judged_the_same_by_the_driver_and_by_the_session(db, factory):
    user = factory.member_user()
    secret = factory.api_key(user)
    by_session = api_keys.holder_of(db, secret, user=True)
    by_driver = api_keys.holder_of(db, secret, user=False)
    assert by_session is not None and by_driver is not None
    assert by_driver.user is None and by_session.user is user
    assert (by_driver.user_id, by_driver.is_admin, by_driver.key_id, by_driver.scopes) == (
        by_session.user_id,
        by_session.is_admin,
        by_session.key_id,
        by_session.scopes,
    )
    admin_secret = factory.api_key(factory.admin())
    admin = api_keys.holder_of(db, admin_secret, user=False)
    assert admin is not None and admin.is_admin
    # a suspended member's key stops at once (the member's state, an enum, is compared by
    # the statement itself)
    from registry.members import accounts

    accounts.LIFE.apply(db, user.member, accounts.M.SUSPENDED, SYSTEM, "unpaid fees")
    assert user.member.status is MemberStatus.SUSPENDED
    assert api_keys.holder_of(db, secret, user=False) is None
    assert api_keys.holder_of(db, secret, 0, user=False) is None


def test_it_reads_inside_the_sessions_transaction(db):
    business = businesses.create(db, SYSTEM, "Kaveri Agro Foods", city="Mysuru")
    db.flush()  # written, not committed: only this transaction sees it
    reader = DriverStatement(
        select(Business.name).where(Business.id == bindparam("business_id")), ("business_id",)
    )
    assert reader.rows(db.connection(), {"business_id": business.id}) == [("Kaveri Agro Foods",)]


def test_the_cursor_hooks_see_the_statement(db, connection):
    seen = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if "SAVEPOINT" not in statement:  # the tests' stand-in for a request's transaction
            seen.append(statement)

    reader = DriverStatement(
        select(Business.id).where(Business.name == bindparam("name")), ("name",)
    )
    event.listen(connection, "before_cursor_execute", hook)
    try:
        reader.rows(db.connection(), {"name": "nobody"})
    finally:
        event.remove(connection, "before_cursor_execute", hook)
    assert len(seen) == 1 and "businesses" in seen[0]


def test_a_drivers_error_is_sqlalchemys_and_the_session_goes_on(db):
    reader = DriverStatement(
        select(Business.id).where(Business.id == bindparam("business_id")), ("business_id",)
    )
    if dialect(db) != "postgresql":
        pytest.skip("SQLite compares an integer column with text without an error")
    nested = db.begin_nested()
    with pytest.raises(exc.DBAPIError):  # an integer column given text it cannot read
        reader.rows(db.connection(), {"business_id": "not a number"})
    nested.rollback()
    assert reader.rows(db.connection(), {"business_id": -1}) == []


def test_the_parameters_must_be_the_ones_it_was_made_with(db):
    reader = DriverStatement(
        select(Business.id).where(Business.id == bindparam("business_id")), ("business_id",)
    )
    with pytest.raises(ValueError, match="business_id"):
        reader.rows(db.connection(), {"id": 1})
    with pytest.raises(ValueError, match="does not take"):
        DriverStatement(select(Business.id), ("business_id",)).rows(
            db.connection(), {"business_id": 1}
        )


def test_a_list_sqlite_expands_is_read_through_execute_there(db):
    made = [businesses.create(db, SYSTEM, f"Trader {n}", city="Pune") for n in "ABC"]
    reader = DriverStatement(
        select(Business.name)
        .where(among(Business.id, "values", dialect(db)))
        .order_by(Business.name),
        ("values",),
    )
    for ids in ([made[0].id], [b.id for b in made], []):
        expected = sorted(b.name for b in made if b.id in ids)
        assert [row[0] for row in reader.rows(db.connection(), {"values": ids})] == expected


def test_a_statement_with_no_list_takes_the_drivers_path_on_either_database(db):
    """(What the speed depends on: `Connection.execute` would read the same rows.)"""
    reader = DriverStatement(
        select(Business.id).where(Business.id == bindparam("business_id")), ("business_id",)
    )
    reader.rows(db.connection(), {"business_id": 1})
    assert [compiled is not None for compiled in reader._by_dialect.values()] == [True]
    shown = shown_reader("businesses_and_gstins", dialect(db))
    shown.rows(db.connection(), {"values": [1], "settled_since": settled_shown_since()})
    # PostgreSQL takes the ids as one array; SQLite's IN list is expanded per call
    assert [c is not None for c in shown._by_dialect.values()] == [dialect(db) == "postgresql"]


def test_a_lost_connection_is_invalidated_and_the_next_one_works(database_url):
    """The server ended the connection (a restart, a fail-over): the error says so, and
    the pool does not hand the dead connection out again."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL ends a connection from another one; SQLite has no server")
    engine = make_engine(database_url)
    reader = DriverStatement(
        select(Business.id).where(Business.id == bindparam("business_id")), ("business_id",)
    )
    try:
        with engine.connect() as connection:
            assert reader.rows(connection, {"business_id": -1}) == []
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            with pytest.raises(exc.OperationalError) as lost:
                reader.rows(connection, {"business_id": -1})
            assert lost.value.connection_invalidated and connection.invalidated
        with engine.connect() as connection:
            assert reader.rows(connection, {"business_id": -1}) == []
    finally:
        engine.dispose()
