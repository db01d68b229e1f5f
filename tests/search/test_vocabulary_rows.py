"""The vocabulary of spelling variants is written once per entry: an import writes its
chunks one after another, and an entry a chunk before stored is not offered again, joined
pairs ("+mahalaxmi", stored under their single deletions) included."""

from __future__ import annotations

import csv

from sqlalchemy import func, select

from matching.keys import JOINED_SPELLING, vocabulary_entries, vocabulary_keys
from registry.actors import SYSTEM
from registry.directory import businesses as directory
from registry.directory import import_businesses
from registry.search_index import name_index

NAMES = ("Maha Laxmi Textiles", "Shree Balaji Steel Traders")


def test_entries_stored_before_are_not_offered_again(db):
    entries = set().union(*(vocabulary_entries(name) for name in NAMES))
    assert any(spelling.startswith(JOINED_SPELLING) for spelling, _ in entries)
    first = name_index.add_vocabulary(db, entries)
    stored = db.scalar(select(func.count()).select_from(name_index.VOCABULARY))
    assert first == stored > 0
    assert name_index.add_vocabulary(db, entries) == 0
    assert db.scalar(select(func.count()).select_from(name_index.VOCABULARY)) == stored


def test_a_new_entry_beside_known_ones_is_written_whole(db):
    name_index.add_vocabulary(db, vocabulary_entries(NAMES[0]))
    before = db.scalar(select(func.count()).select_from(name_index.VOCABULARY))
    added = vocabulary_entries("Maha Laxmi Silk Mills") - vocabulary_entries(NAMES[0])
    offered = name_index.add_vocabulary(db, vocabulary_entries("Maha Laxmi Silk Mills"))
    after = db.scalar(select(func.count()).select_from(name_index.VOCABULARY))
    assert added and offered == after - before > 0
    rows = db.execute(
        select(name_index.VOCABULARY.c.spelling).where(
            name_index.VOCABULARY.c.spelling.in_([s for s, _ in added])
        )
    ).scalars()
    assert {s for s, _ in added} <= set(rows)


def test_imports_after_filings_and_aliases_write_each_entry_exactly_once(db, tmp_path, monkeypatch):
    """A load writes its new entries' rows without checking each row for a twin: the
    vocabulary after filings, an alias, two imports (sharing words with them and with
    each other, and a new word in two chunks of one file) and a rebuild holds each
    entry's variants once, exactly the rows all the names give."""
    monkeypatch.setattr(import_businesses, "CHUNK", 2)
    filed = directory.create(db, SYSTEM, "Maha Laxmi Textiles", city="Surat")
    directory.add_alias(db, filed, "Mahalaxmi Textile Mills", "filing")
    first = [("Shree Balaji Steel Traders", "Pune"), ("Laxmi Silk Mills", "Surat")]
    second = [
        ("Balaji Silk Traders", "Pune"),
        ("Vindhya Granites", "Jabalpur"),  # new words, again two chunks on
        ("Maha Laxmi Textiles", "Surat"),  # matched by name: no new rows
        ("Vindhya Granite Works", "Rewa"),
    ]
    for n, rows in enumerate((first, second)):
        path = tmp_path / f"d{n}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["name", "gstin", "pan", "city", "state"])
            writer.writerows((name, "", "", city, "") for name, city in rows)
        report = import_businesses.import_file(db, path, SYSTEM)
        assert report.counts()["error"] == 0
    names = [
        "Maha Laxmi Textiles",
        "Mahalaxmi Textile Mills",
        *(name for name, _ in first + second),
    ]
    expected = sorted(
        (variant, spelling, token)
        for name in names
        for spelling, token in vocabulary_entries(name)
        if len(spelling) <= name_index.MAX_LENGTH and len(token) <= name_index.MAX_LENGTH
        for variant in vocabulary_keys(spelling)
        if len(variant) <= name_index.MAX_LENGTH
    )
    expected = sorted(set(expected))

    def stored():
        return sorted(tuple(row) for row in db.execute(select(name_index.VOCABULARY)).all())

    assert stored() == expected
    name_index.rebuild(db, SYSTEM)
    assert stored() == expected
