"""Bulk loading: rows a helper process wrote out for COPY (`bulk_load.encode`) arrive in
the tables exactly as they were, whatever they hold, and an import's index rows are the
ones a single filing of the same names would write."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from matching.normalise import VERSION
from registry.actors import SYSTEM
from registry.directory import import_businesses
from registry.models import Business
from registry.search_index import bulk_load, name_index

#: Text COPY's formats treat specially, and text that is merely unusual.
HOSTILE = [
    'a,b "quoted" and ""doubled""',
    "line\nbreak and\r\ncarriage return",
    "back\\slash \\N \\t and a\ttab",
    "\\.",
    " padded ",
    "देवनागरी ಕನ್ನಡ",
    "NULL",
    ",",
]


def _keys(db):
    return {tuple(row) for row in db.execute(select(name_index.KEYS))}


def test_encoded_rows_arrive_as_they_were(db):
    if not bulk_load.copies(db):
        pytest.skip("COPY is PostgreSQL's; SQLite inserts the rows themselves")
    business = Business(name="Bulk Load Traders", city="Surat")
    db.add(business)
    db.flush()
    keys = [(f"k:{text}", business.id, text) for text in HOSTILE] + [
        ("k:no city", business.id, None)
    ]
    normal = [(text, VERSION, text) for text in HOSTILE] + [("blank encoding", VERSION, "")]
    parts = [bulk_load.encode(keys[:3]), bulk_load.encode(keys[3:])]
    assert bulk_load.insert_encoded(db, name_index.KEYS, ("key", "business_id", "city"), parts) == 9
    columns = ("name", "version", "encoded")
    table = name_index.NORMAL_NAMES
    bulk_load.fast_insert(db, table, columns, [("NULL", VERSION, "known already")])
    offered = bulk_load.insert_encoded(
        db,
        table,
        columns,
        [bulk_load.encode(normal), bulk_load.encode(normal[:2])],
        ignore_conflicts=True,
    )
    assert offered == len(normal) + 2  # the repeated ones were offered, and skipped
    assert _keys(db) == set(keys)
    stored = {tuple(row) for row in db.execute(select(table))}
    assert stored == {row for row in normal if row[0] != "NULL"} | {
        ("NULL", VERSION, "known already")  # the row there before stays as it was
    }
    # an empty string in a column that cannot be NULL stays an empty string
    assert ("blank encoding", VERSION, "") in stored


def test_an_import_writes_the_index_rows_a_filing_would(db, tmp_path, monkeypatch):
    """Through the worker processes (in small pieces, so that several are used), and on
    PostgreSQL written out for COPY by them: the same key and normal-name rows as the
    index computes for each business alone, hostile names and cities included."""
    monkeypatch.setattr(name_index, "PARALLEL_CHUNK", 3)
    monkeypatch.setattr(import_businesses, "CHUNK", 5)
    cities = ["Surat", "Pune \\ East", 'Navi "Mumbai"', "", "Ahmedabad, West"]
    names = [f"{text} Traders {n}" for n, text in enumerate(HOSTILE)] + [
        f"Shree Ganesh Textiles {n}" for n in range(9)
    ]
    path = tmp_path / "d.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "gstin", "pan", "city", "state"])
        writer.writerows((name, "", "", cities[n % 5], "") for n, name in enumerate(names))
    before = _keys(db)
    report = import_businesses.import_file(db, path, SYSTEM)
    assert report.counts()["created"] == len(names)
    expected = name_index.Rows()
    created = [outcome.business_id for outcome in report.outcomes]
    for business in db.scalars(select(Business).where(Business.id.in_(created))):
        expected.add(business.id, [business.name], business.city)
    assert len(expected.keys) > 5 * len(names)
    assert _keys(db) - before == set(expected.keys)
    stored = {tuple(row) for row in db.execute(select(name_index.NORMAL_NAMES))}
    assert {(name, VERSION, encoded) for name, encoded in expected.normal.items()} <= stored
