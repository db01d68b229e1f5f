"""`import-businesses` reads its file as a stream (issue 19, "bulk loading at scale"): the
same answers whatever the chunk size, matches across chunk boundaries, and memory that does
not grow with the file."""

from __future__ import annotations

import csv
import gc
import json
import sys
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from bench.synthetic import generate
from registry.actors import SYSTEM
from registry.directory import import_businesses, search
from registry.identifiers import gstin_for
from registry.models import Business, BusinessGstin
from registry.search_index import bulk_load, name_index

GSTIN = gstin_for("24", "ABCFI1234Q")
WRITE = name_index.BulkIndexer.write


def directory(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "gstin", "pan", "city", "state"])
        writer.writerows(rows)
    return path


def test_matches_reach_across_chunks(db, tmp_path, monkeypatch):
    monkeypatch.setattr(import_businesses, "CHUNK", 3)
    filler = [(f"Filler Number {i} Traders", "", "", "Nagpur", "Maharashtra") for i in range(7)]
    path = directory(
        tmp_path / "d.csv",
        [
            ("Import Traders", GSTIN, "", "Surat", "Gujarat"),  # line 2
            ("Name Only Stores", "", "", "Pune", "Maharashtra"),  # line 3
            ("Pan Only Co", "", "ABCPP7777K", "Indore", "Madhya Pradesh"),  # line 4
            *filler,  # lines 5-11
            ("Import Traders Branch", GSTIN.lower(), "", "Surat", "Gujarat"),  # line 12
            ("NAME ONLY STORES", "", "", "pune", "Maharashtra"),  # line 13
            ("Pan Branch Co", gstin_for("23", "ABCPP7777K"), "", "Bhopal", "MP"),  # line 14
            ("Bad Gstin Co", "24ABCFI1234Q1Z0", "", "Surat", "Gujarat"),  # line 15
        ],
    )
    report = import_businesses.import_file(db, path, SYSTEM)
    rows = {o.line: o for o in report.outcomes}
    assert [o.line for o in report.outcomes] == list(range(2, 16))  # in line order
    assert rows[12].status == "matched" and rows[12].business_id == rows[2].business_id
    assert rows[13].status == "matched" and rows[13].business_id == rows[3].business_id
    assert rows[14].status == "matched" and rows[14].business_id == rows[4].business_id
    assert rows[15].status == "error"
    assert report.counts() == {"rows": 14, "created": 10, "matched": 3, "error": 1}
    gstins = db.scalar(select(func.count()).where(BusinessGstin.business_id == rows[4].business_id))
    assert gstins == 1  # the PAN's business gained the later row's GSTIN


def test_where_chunks_end_changes_nothing(db, tmp_path, monkeypatch):
    """A row without identifiers matches an earlier business of exactly its name and city
    (one with a GSTIN too), whether that business came in its own chunk or an earlier one."""
    rows = [
        ("Deccan Textiles", gstin_for("24", "XPJFD6777E"), "", "Ahmedabad", "Gujarat"),
        ("Gupta Fasteners", "", "", "Gurugram", "Haryana"),
        ("Deccan Textiles", "", "", "Ahmedabad", "Gujarat"),
        ("Gupta Fasteners", "", "", "GURUGRAM", "Haryana"),
        ("Deccan Textiles", "", "", "Surat", "Gujarat"),
    ]
    answers = []
    for chunk in (2, 1000):
        monkeypatch.setattr(import_businesses, "CHUNK", chunk)
        with db.begin_nested():
            report = import_businesses.import_file(db, directory(tmp_path / "d.csv", rows), SYSTEM)
            answers.append([o.status for o in report.outcomes])
            db.rollback()
    assert answers[0] == answers[1] == ["created", "created", "matched", "matched", "created"]


def test_the_printed_report_is_the_json_it_always_was(db, tmp_path):
    path = directory(
        tmp_path / "d.csv",
        [("Import Traders", GSTIN, "", "Surat", "Gujarat"), ("", "", "", "Pune", "")],
    )
    report = import_businesses.import_file(db, path, SYSTEM)
    text = "".join(report.json_parts())
    expected = {
        "created": 1,
        "error": 1,
        "matched": 0,
        "rows": [o.as_json() for o in report.outcomes],
        "seconds": round(report.seconds, 2),
    }
    assert text == json.dumps(expected, sort_keys=True)


@given(
    line=st.integers(min_value=2, max_value=10**9),
    status=st.sampled_from(["created", "matched", "error"]),
    business_id=st.none() | st.integers(min_value=1, max_value=10**12),
    error=st.none() | st.text(),
)
def test_each_outcome_line_is_the_json_it_always_was(line, status, business_id, error):
    outcome = import_businesses.Outcome(line, status, business_id, error)
    assert outcome.json_line() == json.dumps(outcome.as_json(), sort_keys=True)


def test_a_file_that_is_not_utf8_half_way_loads_nothing(db, tmp_path, monkeypatch):
    monkeypatch.setattr(import_businesses, "CHUNK", 2)
    path = tmp_path / "d.csv"
    path.write_bytes(
        b"name,gstin,pan,city,state\n"
        + b"".join(f"Good Row {i} Mills,,,Pune,\n".encode() for i in range(5))
        + b"Bad \xff\xfe Row,,,Pune,\n"
    )
    before = db.scalar(select(func.count()).select_from(Business))
    with db.begin_nested(), pytest.raises(import_businesses.ImportFileError, match="UTF-8"):
        import_businesses.import_file(db, path, SYSTEM)
    assert db.scalar(select(func.count()).select_from(Business)) == before
    if db.get_bind().dialect.name == "postgresql":
        assert len(_key_indexes(db)) == 3  # a first load's dropped indexes came back with it


def test_a_row_without_identifiers_matches_one_the_chunk_just_before_created(
    db, tmp_path, monkeypatch
):
    """The chunk before's names are still being indexed while the next chunk is matched:
    a row without GSTIN or PAN finds a business of the same name and city created there."""
    monkeypatch.setattr(import_businesses, "CHUNK", 2)
    path = directory(
        tmp_path / "d.csv",
        [
            ("Adjacent Chunk Stores", "", "", "Pune", "Maharashtra"),  # line 2, chunk 1
            ("Other Row Traders", "", "", "Pune", "Maharashtra"),  # line 3, chunk 1
            ("ADJACENT CHUNK STORES", "", "", "pune", "Maharashtra"),  # line 4, chunk 2
            ("Adjacent Chunk Stores", "", "", "Nashik", "Maharashtra"),  # line 5: elsewhere
        ],
    )
    report = import_businesses.import_file(db, path, SYSTEM)
    rows = {o.line: o for o in report.outcomes}
    assert rows[4].status == "matched" and rows[4].business_id == rows[2].business_id
    assert rows[5].status == "created"
    assert report.counts() == {"rows": 4, "created": 3, "matched": 1, "error": 0}


def _held(db, tmp_path, monkeypatch, size: int) -> int:
    """The most memory the import holds at the end of a chunk."""
    rows = (
        (b.name, b.gstin or "", b.pan or "", b.city, b.state)
        for b in generate(size, seed=size, first_id=1)
    )
    path = directory(tmp_path / f"d{size}.csv", rows)
    held = [0]

    def measured(*args, **kwargs):
        WRITE(*args, **kwargs)
        _empty_matcher_caches()
        gc.collect()  # what is still held, not garbage the collector has not reached yet
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [
                tracemalloc.Filter(False, "*/matching/*"),
                tracemalloc.Filter(False, "<unknown>"),
                # psycopg keeps a bounded cache of converted statements (an IN list of
                # each length is a statement of its own): the driver's, not the import's
                tracemalloc.Filter(False, "*/psycopg/*", all_frames=True),
            ]
        )
        held[0] = max(held[0], sum(stat.size for stat in snapshot.statistics("filename")))

    monkeypatch.setattr(name_index.BulkIndexer, "write", measured)
    tracemalloc.start()
    try:
        with db.begin_nested():
            report = import_businesses.import_file(db, path, SYSTEM)
            assert report.counts()["rows"] == size
            db.rollback()
    finally:
        tracemalloc.stop()
    return held[0]


def _empty_matcher_caches():
    """The name matcher's LRU caches are bounded but large (they fill over a few hundred
    thousand names), and what its compiled modules allocate is counted against their
    Python caller (compiled code has no frames of its own for the filter above to match):
    they are emptied before each measurement."""
    for name, module in list(sys.modules.items()):
        if name == "matching" or name.startswith("matching."):
            for value in vars(module).values():
                # caches, not their classes (`matching.similarity.PairMemo`)
                if not isinstance(value, type) and callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def test_memory_does_not_grow_with_the_file(db, tmp_path, monkeypatch):
    monkeypatch.setattr(import_businesses, "CHUNK", 500)
    monkeypatch.setattr(import_businesses, "SPOOL_IN_MEMORY", 1)  # outcomes to disk at once
    # The name matcher's LRU caches are bounded but large (they fill over a few hundred
    # thousand names): the import itself is measured without them.
    for module, cached in (
        (name_index, "normalise"),
        (name_index, "vocabulary_keys"),
        (import_businesses, "normalise"),
    ):
        monkeypatch.setattr(module, cached, getattr(module, cached).__wrapped__)
    _held(db, tmp_path, monkeypatch, 500)  # warm-up: statements compiled, modules loaded
    small = _held(db, tmp_path, monkeypatch, 1_000)
    large = _held(db, tmp_path, monkeypatch, 6_000)
    assert large < small * 1.3, (small, large)


def _key_indexes(db, table="business_keys"):
    return sorted(
        db.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table "
                "AND schemaname = current_schema()"
            ),
            {"table": table},
        ).all()
    )


def _key_foreign_keys(db, table="business_keys"):
    return db.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:table AS regclass) AND contype = 'f'"
        ),
        {"table": table},
    ).all()


def _plan_of_name_look_up(db):
    """PostgreSQL's plan for `_known_names`' look-up of whole-name keys, scans of whole
    tables priced out (a table this small would be read whole anyway)."""
    query = select(name_index.KEYS.c.key).where(
        name_index.one_of(db, name_index.KEYS.c.key, ["n:first|load|textiles"]),
        bulk_load.whole_name_keys(db),
    )
    compiled = query.compile(dialect=db.get_bind().dialect)
    db.execute(text("SET LOCAL enable_seqscan = off"))
    with db.connection().connection.driver_connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {compiled}", compiled.params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    db.execute(text("SET LOCAL enable_seqscan = on"))
    return plan


def test_a_first_load_builds_the_key_indexes_once_after_it(db, tmp_path, monkeypatch):
    """Into an empty registry on PostgreSQL the key table's primary key, secondary
    indexes and foreign key are dropped for the load and made again after it, as they
    were (meanwhile only an index of the whole-name keys, which the load's look-ups of
    the names it made use), and so are the GSTIN table's indexes and foreign key (its
    unique GSTIN kept: the load looks GSTINs up by it); the names and GSTINs are found;
    and a load into a registry that has keys already leaves them alone."""
    if db.get_bind().dialect.name != "postgresql":
        with bulk_load.first_load(db) as deferred:
            assert deferred is False  # SQLite: the load runs as it is
        return
    if db.execute(select(name_index.KEYS.c.key).limit(1)).first() is not None:
        pytest.skip("the test database already holds keys")
    if db.execute(select(BusinessGstin.id).limit(1)).first() is not None:
        pytest.skip("the test database already holds GSTINs")
    before = _key_indexes(db)
    assert len(before) == 3  # the primary key and two secondary indexes
    foreign = _key_foreign_keys(db)
    assert [definition for _, definition in foreign] == [
        "FOREIGN KEY (business_id) REFERENCES businesses(id) ON DELETE CASCADE"
    ]
    gstin_indexes = _key_indexes(db, "business_gstins")
    gstin_foreign = _key_foreign_keys(db, "business_gstins")
    assert {name for name, _ in gstin_indexes} == {
        "pk_business_gstins",
        "uq_business_gstins_gstin",
        "ix_business_gstins_business_id",
        "ix_business_gstins_pan",
    }
    assert len(gstin_foreign) == 1
    during = []

    def watched(*args, **kwargs):
        during.append(_key_indexes(db))
        assert _key_foreign_keys(db) == []
        assert bulk_load.LOADING_INDEX in _plan_of_name_look_up(db)
        assert {name for name, _ in _key_indexes(db, "business_gstins")} == {
            "pk_business_gstins",
            "uq_business_gstins_gstin",
        }
        assert _key_foreign_keys(db, "business_gstins") == []
        WRITE(*args, **kwargs)

    monkeypatch.setattr(name_index.BulkIndexer, "write", watched)
    monkeypatch.setattr(import_businesses, "CHUNK", 2)
    path = directory(
        tmp_path / "d.csv",
        [(f"First Load {n} Textiles", "", "", "Surat", "") for n in "ABCD"]
        + [("First Load E Textiles", GSTIN, "", "Surat", ""), ("Again E", GSTIN, "", "", "")],
    )
    report = import_businesses.import_file(db, path, SYSTEM)
    assert report.counts()["created"] == 5 and report.counts()["matched"] == 1
    assert len(during) == 3
    for indexes in during:  # the whole-name keys only, and no primary key
        assert [name for name, _ in indexes] == [bulk_load.LOADING_INDEX]
        assert "WHERE starts_with" in indexes[0][1]
    assert _key_indexes(db) == before  # the same names and definitions again
    assert _key_foreign_keys(db) == foreign
    assert _key_indexes(db, "business_gstins") == gstin_indexes
    assert _key_foreign_keys(db, "business_gstins") == gstin_foreign
    [(best, score), *_] = search.similar_names(db, "First Load C Textiles", "Surat", None)
    assert best.name == "First Load C Textiles" and score > 90
    assert search.search(db, GSTIN).hits[0].business.name == "First Load E Textiles"
    assert search.search(db, GSTIN[2:12]).hits[0].gstins == [GSTIN]
    second = directory(tmp_path / "e.csv", [("Second Load Textiles", "", "", "Pune", "")])
    seen = []
    monkeypatch.setattr(
        name_index.BulkIndexer,
        "write",
        lambda *a, **k: (seen.append((_key_indexes(db), _key_foreign_keys(db))), WRITE(*a, **k)),
    )
    import_businesses.import_file(db, second, SYSTEM)
    assert seen == [(before, foreign)]  # keys there already: nothing dropped


def test_a_first_load_looks_up_by_name_only_the_names_it_made(db, tmp_path, monkeypatch):
    """Into an empty index a row without identifiers can only match a business the load
    made itself: only such rows are looked up by name (a Bloom filter of what it made),
    and they still match, across chunks; into a registry with names, every such row is
    looked up."""
    first = db.get_bind().dialect.name == "postgresql" and (
        db.execute(select(name_index.KEYS.c.key).limit(1)).first() is None
    )
    asked: list[list[str]] = []
    known_names = import_businesses._known_names

    def watched(session, rows, recent):
        asked.append([row.name for row in rows])
        return known_names(session, rows, recent)

    monkeypatch.setattr(import_businesses, "_known_names", watched)
    monkeypatch.setattr(import_businesses, "CHUNK", 3)
    rows = [(f"Bloom Check {n} Textiles", "", "", "Surat", "") for n in range(8)]
    rows += [
        ("Bloom Check 1 Textiles", "", "", "surat", ""),
        ("Bloom Check 2 Textiles", "", "", "Pune", ""),
    ]
    report = import_businesses.import_file(db, directory(tmp_path / "d.csv", rows), SYSTEM)
    assert report.counts() == {"rows": 10, "created": 9, "matched": 1, "error": 0}
    [repeat] = [o for o in report.outcomes if o.status == "matched"]
    assert repeat.line == 10  # the same name and city (case aside), three chunks on
    looked_up = [name for names in asked for name in names]
    if first:
        assert looked_up == ["Bloom Check 1 Textiles"]
    else:
        assert len(looked_up) == 10
    again = import_businesses.import_file(
        db, directory(tmp_path / "e.csv", [("Bloom Check 5 Textiles", "", "", "Surat", "")]), SYSTEM
    )
    assert again.counts()["matched"] == 1  # a registry with names: looked up as ever
