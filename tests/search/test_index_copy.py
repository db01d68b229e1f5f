"""A web worker's copy of the name index answers exactly what the tables answer, however
the directory changes after it was loaded (`registry.search_index.memory_copy`)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from registry.actors import SYSTEM
from registry.db import GENERIC_PLAN, make_engine, make_sessionmaker
from registry.directory import businesses as directory
from registry.directory import import_businesses, merges, search
from registry.errors import InvalidTransition
from registry.models import Business, SearchIndexChange, SearchIndexState
from registry.search_index import database_index, memory_copy, name_index
from registry.search_index.memory_copy import IndexCopy
from registry.search_index.process_index import IndexCopies

WORDS = ["Shree", "Balaji", "Laxmi", "Ganesh", "Paper", "Steel", "Textile", "Traders", "Mart"]
FORMS = ["", " Pvt Ltd", " LLP", " & Co"]
CITIES = [None, "Pune", "Surat", "Jodhpur"]
QUERIES = [
    ("Shri Balaji Traders", None),
    ("Laxmi Paper Mart Pvt Ltd", "Pune"),
    ("Ganesh Steels", "Surat"),
    ("Balaaji Textiles & Co", None),
    ("SBT", None),
    ("Shree Laxmi", "Jodhpur"),
]


def answers(db, copies):
    """Each query's results, from the copy (when `copies`) or from the tables."""
    out = []
    for q, city in QUERIES:
        found = search.search(db, q, city=city, limit=8, copies=copies)
        out.append([(h.business.id, h.score, h.listed_complaints) for h in found.hits])
    return out


def agree(db, copies):
    from_copy = answers(db, copies)
    assert copies.copy is not None, "the copy was not used"
    tables = answers(db, None)
    assert from_copy == tables


def name_of(words, form):
    return " ".join(WORDS[i] for i in words) + FORMS[form]


names = st.builds(
    name_of, st.lists(st.integers(0, len(WORDS) - 1), min_size=1, max_size=3), st.integers(0, 3)
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), names, st.sampled_from(CITIES)),
        st.tuples(st.just("alias"), st.integers(0, 50), names),
        st.tuples(st.just("merge"), st.integers(0, 50), st.integers(0, 50)),
        st.tuples(st.just("undo"), st.integers(0, 50)),
        st.tuples(st.just("import"), st.lists(names, min_size=1, max_size=4)),
        st.tuples(st.just("search")),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_the_copy_agrees_with_the_tables_after_any_changes(db, tmp_path, steps):
    savepoint = db.begin_nested()
    try:
        businesses = [
            directory.create(db, SYSTEM, name, city=city)
            for name, city in [("Shree Balaji Traders", "Pune"), ("Laxmi Paper Mart", "Surat")]
        ]
        merged: list[int] = []
        copies = IndexCopies(background=False)
        agree(db, copies)  # loaded here; every later search brings it up to date
        for step in steps:
            match step:
                case ("create", name, city):
                    businesses.append(directory.create(db, SYSTEM, name, city=city))
                case ("alias", at, name):
                    directory.add_alias(db, businesses[at % len(businesses)], name, "filing")
                case ("merge", a, b):
                    keep = businesses[a % len(businesses)]
                    gone = businesses[b % len(businesses)]
                    if keep.id != gone.id and None is keep.merged_into_id is gone.merged_into_id:
                        merged.append(merges.merge(db, keep.id, gone.id, SYSTEM).id)
                case ("undo", at):
                    if merged:
                        record = merged[at % len(merged)]
                        # refused when undone already, or when its survivor was merged since
                        with contextlib.suppress(InvalidTransition):
                            merges.undo(db, record, SYSTEM)
                case ("import", rows):
                    listing = tmp_path / "import.csv"
                    body = "".join(f"{n},,,Pune,Maharashtra\n" for n in rows)
                    listing.write_text("name,gstin,pan,city,state\n" + body)
                    import_businesses.import_file(db, listing, SYSTEM)
                case ("search",):
                    agree(db, copies)
        agree(db, copies)
    finally:
        savepoint.rollback()
        db.expunge_all()  # SQLite hands the rolled-back ids out again


def test_a_business_filed_after_loading_is_found_and_a_merged_one_is_gone(db):
    first = directory.create(db, SYSTEM, "Marwar Steel Traders", city="Jodhpur")
    copies = IndexCopies(background=False)
    assert search.search(db, "Marwar Steel", copies=copies).hits[0].business.id == first.id
    loaded = copies.copy
    newer = directory.create(db, SYSTEM, "Kesar Spices Private Limited", city="Pune")
    hits = search.search(db, "Kesar Spice Pvt Ltd", copies=copies).hits
    assert hits[0].business.id == newer.id
    assert copies.copy is loaded  # brought up to date, not loaded again
    twin = directory.create(db, SYSTEM, "Kesar Spices Pvt. Ltd.", city="Pune")
    merges.merge(db, newer.id, twin.id, SYSTEM)
    found = {h.business.id for h in search.search(db, "Kesar Spices", copies=copies).hits}
    assert twin.id not in found and newer.id in found
    agree(db, copies)


def test_long_posting_lists_are_cut_and_filtered_by_city_as_the_tables_do(db, monkeypatch):
    # With a tiny fetch limit every common key is "long": the copy lists it city by city.
    for module in (database_index, memory_copy):
        monkeypatch.setattr(module, "FETCH_LIMIT", 2)
    monkeypatch.setattr(database_index.CappedPostings, "posting_limit", 2)
    for i, city in enumerate(["Pune", "Pune", "Surat", "Surat", None, "Jodhpur"]):
        directory.create(db, SYSTEM, f"Shree Balaji Traders {WORDS[i]}", city=city)
    copies = IndexCopies(background=False)
    agree(db, copies)
    assert any(len(ids) > 2 for ids in copies.copy.postings.values())
    assert copies.copy.local, "no key was long enough to be listed by city"
    for city in ["Pune", "Surat", "Jodhpur", None]:  # a key grows long after loading
        directory.create(db, SYSTEM, "Shree Laxmi Paper Mart", city=city)
        agree(db, copies)


def copy_that_saw_a_ghost(db):
    """A copy brought up to date with a business filed inside a savepoint not yet undone."""
    directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    copies = IndexCopies(background=False)
    agree(db, copies)
    savepoint = db.begin_nested()
    ghost = directory.create(db, SYSTEM, "Ganesh Textile Mills", city="Surat")
    assert search.search(db, "Ganesh Textile", copies=copies).hits[0].business.id == ghost.id
    return copies, ghost, savepoint


def test_a_change_rolled_back_never_reaches_the_copy(db):
    copies, ghost, savepoint = copy_that_saw_a_ghost(db)
    savepoint.rollback()
    # The generation went back with the rollback: the copy is loaded afresh.
    hits = search.search(db, "Ganesh Textile", copies=copies).hits
    assert ghost.id not in {h.business.id for h in hits}
    agree(db, copies)


@pytest.mark.parametrize("writes_after", [1, 2])
def test_a_copy_that_saw_changes_a_restore_undid_loads_afresh(db, writes_after):
    """A backup restored under running web workers, then written to: the generation the
    copy saw is reached again (or passed) by other changes. Its stamp tells them apart."""
    copies, _, savepoint = copy_that_saw_a_ghost(db)
    seen = copies.copy
    savepoint.rollback()  # as restoring a backup taken before the ghost was filed
    db.expunge_all()  # SQLite hands the rolled-back ids out again
    for i in range(writes_after):
        directory.create(db, SYSTEM, f"Shree Balaji Steel {WORDS[i]}", city="Pune")
    hits = search.search(db, "Ganesh Textile", copies=copies).hits
    assert copies.copy is not seen
    assert all(h.business.name != "Ganesh Textile Mills" for h in hits)
    agree(db, copies)


def test_a_copy_behind_the_kept_changes_or_told_everything_changed_loads_afresh(db, tmp_path):
    directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    copies = IndexCopies(background=False)
    agree(db, copies)
    first = copies.copy
    directory.create(db, SYSTEM, "Shree Balaji Steel", city="Pune")
    directory.create(db, SYSTEM, "Ganesh Paper Traders", city="Pune")
    assert name_index.prune_changes(db, keep=0) >= 2
    state = db.execute(select(SearchIndexState)).scalar_one()
    assert state.kept_from == state.generation
    assert db.scalar(select(SearchIndexChange.generation).order_by("generation").limit(1)) == (
        state.kept_from
    )
    agree(db, copies)
    assert copies.copy is not first
    second = copies.copy
    name_index.rebuild(db, SYSTEM)  # listed as "everything"
    agree(db, copies)
    assert copies.copy is not second


def test_a_large_change_is_listed_as_everything(db, monkeypatch):
    monkeypatch.setattr(name_index, "LISTED_CHANGES", 1)
    a = directory.create(db, SYSTEM, "Laxmi Paper Mart")
    b = directory.create(db, SYSTEM, "Ganesh Paper Mart")
    generation = name_index.record_change(db, [a.id])
    assert db.scalars(
        select(SearchIndexChange.business_id).where(SearchIndexChange.generation == generation)
    ).all() == [a.id]
    generation = name_index.record_change(db, [a.id, b.id])
    assert db.scalars(
        select(SearchIndexChange.business_id).where(SearchIndexChange.generation == generation)
    ).all() == [0]


def test_a_search_from_the_copy_asks_the_database_twice(db):
    directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    copies = IndexCopies(background=False)
    search.search(db, "Laxmi Paper", copies=copies)
    statements: list[str] = []
    bind = db.connection()

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(bind, "before_cursor_execute", seen)
    try:
        assert search.search(db, "Laxmi Papers Mart", copies=copies).hits
    finally:
        event.remove(bind, "before_cursor_execute", seen)
    # what changed since (nothing), then the businesses shown with their GSTINs (on
    # PostgreSQL, their generic plan asked for first)
    assert len([s for s in statements if s != GENERIC_PLAN]) == 2, statements


def test_a_web_worker_loads_its_copy_in_the_background(database_server):
    url = database_server.migrated_url()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions.begin() as session:
            business = directory.create(session, SYSTEM, "Marwar Steel Traders", city="Jodhpur")
        copies = IndexCopies(background=True)
        with sessions() as session:
            # no copy yet: this search reads the tables, and starts the load
            hits = search.search(session, "Marwar Steel", copies=copies).hits
            assert hits[0].business.id == business.id
        copies.wait(60)
        assert isinstance(copies.copy, IndexCopy)
        with sessions.begin() as session:
            later = directory.create(session, SYSTEM, "Marwar Steel Works", city="Jodhpur")
        with sessions() as session:
            found = search.search(session, "Marwar Steel Works", copies=copies).hits
            assert found[0].business.id == later.id
            assert copies.copy.generation == session.scalar(select(SearchIndexState.generation))
    finally:
        engine.dispose()


def test_the_copy_can_be_turned_off(settings_factory):
    assert settings_factory(SEARCH_INDEX_COPY="0").search_index_copy is False
    assert settings_factory().search_index_copy is True


@pytest.fixture
def settings_factory(tmp_path: Path):
    from registry.settings import Settings

    def make(**env: str) -> Settings:
        return Settings.from_env({"SECRET_KEY": "x" * 40, **env}, instance_path=tmp_path)

    return make


def test_merged_businesses_are_not_in_a_fresh_copy(db):
    keep = directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    gone = directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    merges.merge(db, keep.id, gone.id, SYSTEM)
    copy = IndexCopy.load(db.connection())
    assert gone.id not in copy.names and keep.id in copy.names
    assert db.get(Business, gone.id).merged_into_id == keep.id


def test_many_changes_at_once_load_the_copy_afresh(db, monkeypatch):
    monkeypatch.setattr(memory_copy, "MOST_CHANGES", 2)
    directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    copies = IndexCopies(background=False)
    agree(db, copies)
    first = copies.copy
    directory.create(db, SYSTEM, "Ganesh Steel Traders", city="Pune")
    agree(db, copies)
    assert copies.copy is first  # one change: read again, business by business
    for name in ["Shree Balaji Textile", "Balaji Paper Mart", "Ganesh Textile Mart"]:
        directory.create(db, SYSTEM, name, city="Jodhpur")
    agree(db, copies)
    assert copies.copy is not first


def test_a_repeated_search_is_answered_from_the_copy_without_the_matcher(db, monkeypatch):
    directory.create(db, SYSTEM, "Marwar Steel Traders", city="Jodhpur")
    directory.create(db, SYSTEM, "Marwar Steels", city="Pune")
    copies = IndexCopies(background=False)
    runs = []
    matcher = search.search_name
    monkeypatch.setattr(search, "search_name", lambda *a, **k: runs.append(a) or matcher(*a, **k))

    def ids(q, **where):
        return [(h.business.id, h.score) for h in search.search(db, q, copies=copies, **where).hits]

    first = ids("Marwar Steel", city="Jodhpur")
    assert len(first) == 2 and len(runs) == 1
    assert ids("Marwar Steel", city="Jodhpur") == first and len(runs) == 1
    # another place, another limit, another name: each its own answer
    assert ids("Marwar Steel", city="Pune")[0][0] != first[0][0] and len(runs) == 2
    assert ids("Marwar Steel", city="Jodhpur", limit=1) == first[:1] and len(runs) == 3
    assert ids("Marwar Steels", city="Jodhpur")[0][0] == first[0][0] and len(runs) == 4
    assert ids("Marwar Steel", state="Rajasthan") and len(runs) == 5
    # typed otherwise, meaning the same to the matcher: the answer kept for it
    assert ids("M/s  MARWAR steel", city="jodhpur ") == first and len(runs) == 5
    # more text than a search is kept for: answered alike, each time by the matcher
    far = "Jodhpur" + " " * search.KEPT_TEXT
    assert ids("Marwar Steel", city=far) == ids("Marwar Steel", city=far) and len(runs) == 7


def test_a_kept_answer_gives_way_to_a_business_filed_since(db):
    directory.create(db, SYSTEM, "Kesar Spice Traders", city="Pune")
    copies = IndexCopies(background=False)
    before = [h.business.id for h in search.search(db, "Kesar Spices", copies=copies).hits]
    newer = directory.create(db, SYSTEM, "Kesar Spices", city="Pune")
    after = [h.business.id for h in search.search(db, "Kesar Spices", copies=copies).hits]
    assert after == [newer.id, *before]
    directory.add_alias(db, newer, "Saffron House", "filing")
    found = search.search(db, "Saffron House", copies=copies).hits
    assert found[0].business.id == newer.id
    agree(db, copies)


def test_kept_answers_go_when_catching_up_fails_half_way(db, monkeypatch):
    business = directory.create(db, SYSTEM, "Marwar Steel Traders", city="Jodhpur")
    copies = IndexCopies(background=False)
    kept = search.search(db, "Marwar Steel", copies=copies).hits
    assert kept[0].business.id == business.id
    copy = copies.copy
    assert copy is not None
    directory.add_alias(db, business, "Kesar Spices", "filing")

    def fails(connection, ids):
        copy._take_out(ids[0])  # part of the change applied, then the database is lost
        raise ConnectionError("lost")

    monkeypatch.setattr(copy, "_refresh", fails)
    with pytest.raises(ConnectionError):
        search.search(db, "Marwar Steel", copies=copies)
    # the copy is half changed and still says its old generation: nothing kept from
    # before may answer for it
    asked = []
    copy.answer(("Marwar Steel", None, None, 10), lambda: asked.append(1) or [])
    assert asked == [1]
    monkeypatch.undo()
    assert search.search(db, "Marwar Steel", copies=copies).hits[0].business.id == business.id
    agree(db, copies)


def test_query_words_expansions_kept_from_search_to_search_answer_as_the_tables_do(db):
    for name, city in [
        ("Shree Balaji Traders", "Pune"),
        ("Balaji Steel Mart", "Surat"),
        ("Laxmi Textile Traders", "Jodhpur"),
        ("Ganesh Paper Mart Pvt Ltd", "Pune"),
    ]:
        directory.create(db, SYSTEM, name, city=city)
    copies = IndexCopies(background=False)

    def both(q):
        from_copy = [(h.business.id, h.score) for h in search.search(db, q, copies=copies).hits]
        assert from_copy == [(h.business.id, h.score) for h in search.search(db, q).hits]
        return from_copy

    # each a new query, most of their words asked before
    for q in [
        "Balaji Traders",
        "Shri Balaji Steel",
        "Balaaji Mart",
        "Laxmi Traders",
        "Ganesh Traders",
    ]:
        assert both(q)
    assert copies.copy is not None
    kept = copies.copy.kept_expansions()
    assert kept.get(("balaji", ("balaji",), False), None) is not None
    # a word spelled close to one kept: the next search's expansion must know it (the
    # new business is reached through "belaji" alone, an expansion of "balaji")
    before = both("Balaji")
    newer = directory.create(db, SYSTEM, "Belaji Agencies", city="Pune")
    after = both("Balaji")
    assert newer.id in [business_id for business_id, _ in after] and after != before
