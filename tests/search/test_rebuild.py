"""`registry reindex` rebuilds the name index a batch of businesses at a time, and leaves
the rows the directory's own writes left, however the batches fall."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.actors import SYSTEM
from registry.directory import businesses as directory
from registry.directory import merges
from registry.models import BusinessKey, NameTokenStat, NameVocabulary, NormalNameRecord
from registry.search_index import name_index

NAMES = [
    ("Shree Balaji Traders", "Pune"),
    ("Laxmi Paper Mart Pvt Ltd", "Surat"),
    ("Ganesh Steel & Co", None),
    ("Marwar Steel Traders", "Jodhpur"),
    ("Balaji Textiles LLP", "Pune"),
    ("Vindhya Granites", "Jabalpur"),
]


def rows(db, model):
    columns = model.__table__.c
    return sorted(tuple(row) for row in db.execute(select(*columns)).all())


def index_rows(db):
    return {
        model: rows(db, model)
        for model in (BusinessKey, NameVocabulary, NameTokenStat, NormalNameRecord)
    }


@pytest.fixture
def directory_with_history(db):
    made = [directory.create(db, SYSTEM, name, city=city) for name, city in NAMES]
    directory.add_alias(db, made[0], "Sri Balaji Trading Company", "filing")
    directory.add_alias(db, made[4], "Balaji Textile Mills", "filing")
    merges.merge(db, made[3].id, made[2].id, SYSTEM)  # Ganesh Steel goes into Marwar Steel
    db.flush()
    return made


def test_a_rebuild_leaves_the_keys_the_directorys_writes_left(db, directory_with_history):
    keys = rows(db, BusinessKey)
    merged_away = directory_with_history[2].id
    assert merged_away not in {business_id for _, business_id, _ in keys}
    assert name_index.rebuild(db, SYSTEM) == len(NAMES) - 1
    assert rows(db, BusinessKey) == keys


@pytest.mark.parametrize("batch", [1, 2, 4])
def test_batches_of_any_size_rebuild_the_same_index(db, directory_with_history, monkeypatch, batch):
    name_index.rebuild(db, SYSTEM)
    whole = index_rows(db)
    monkeypatch.setattr(name_index, "REBUILD_BATCH", batch)
    seen: list[tuple[int, int]] = []
    assert name_index.rebuild(db, SYSTEM, lambda done, total: seen.append((done, total))) == 5
    assert index_rows(db) == whole
    assert seen[-1] == (5, 5)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_rebuild_reads_the_directory_a_batch_at_a_time(db, directory_with_history, monkeypatch):
    monkeypatch.setattr(name_index, "REBUILD_BATCH", 2)
    started: list[int] = []
    start = name_index.BulkIndexer.start

    def counted(self, items):
        started.append(len(items))
        return start(self, items)

    monkeypatch.setattr(name_index.BulkIndexer, "start", counted)
    name_index.rebuild(db, SYSTEM)
    assert started == [2, 2, 1]
