"""The vocabulary of spelling variants is written once per entry: an import writes its
chunks one after another, and an entry a chunk before stored is not offered again, joined
pairs ("+mahalaxmi", stored under their single deletions) included."""

from __future__ import annotations

from sqlalchemy import func, select

from matching.keys import JOINED_SPELLING, vocabulary_entries
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
