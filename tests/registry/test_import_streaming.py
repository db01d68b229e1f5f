"""`import-businesses` reads its file as a stream, a batch at a time: a row is matched to
one of an earlier batch exactly as to one of its own, the search finds every business
once the import is done, and memory does not grow with the file."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.actors import SYSTEM
from registry.directory import import_businesses, search
from registry.identifiers import gstin_for
from registry.models import Business

GSTIN = gstin_for("24", "ABCFI1234Q")
FILE = (
    "name,gstin,pan,city,state\n"
    f"Import Traders,{GSTIN},,Surat,Gujarat\n"
    "Name Only Stores,,,Pune,Maharashtra\n"
    "Pan Only Co,,ABCPP7777K,Indore,Madhya Pradesh\n"
    "Bad Gstin Co,24ABCFI1234Q1Z0,,Surat,Gujarat\n"
    f"Import Traders Branch,{GSTIN.lower()},,Surat,Gujarat\n"
    "name only stores,,,PUNE,Maharashtra\n"
    f"Pan Branch Co,{gstin_for('23', 'ABCPP7777K')},ABCPP7777K,Bhopal,Madhya Pradesh\n"
)


@pytest.mark.parametrize("batch", [2, 10_000])
def test_rows_of_later_batches_match_earlier_ones(db, tmp_path, monkeypatch, batch):
    monkeypatch.setattr(import_businesses, "BATCH", batch)
    path = tmp_path / "directory.csv"
    path.write_text(FILE, encoding="utf-8")
    report = import_businesses.import_file(db, path, SYSTEM)
    statuses = {o.line: o.status for o in report.outcomes}
    assert statuses == {
        2: "created",
        3: "created",
        4: "created",
        5: "error",
        6: "matched",
        7: "matched",
        8: "matched",
    }
    ids = {o.line: o.business_id for o in report.outcomes}
    assert ids[6] == ids[2] and ids[7] == ids[3] and ids[8] == ids[4]
    assert db.scalar(select(func.count()).select_from(Business)) == 3
    # indexed once the load is done: each is found by its name
    for line, name in ((2, "Import Traders"), (3, "Name Only Stores"), (4, "Pan Only Co")):
        hits = search.search(db, name).hits
        assert hits and hits[0].business.id == ids[line]


def _peak(tmp_path: Path, db, rows: int) -> int:
    path = tmp_path / f"big{rows}.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("name,gstin,pan,city,state\n")
        handle.write("Same Name Stores,,,Pune,Maharashtra\n")
        for i in range(rows // 2):  # a line matched to the first one, and a refused line
            handle.write(f"same name stores,,,Pune,Maharashtra\n,,,City {i % 50},State\n")
    tracemalloc.start()
    try:
        report = import_businesses.import_file(db, path, SYSTEM)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.counts()["error"] == rows // 2 and report.counts()["matched"] >= rows // 2
    return peak


def test_memory_stays_flat_as_the_file_grows(db, tmp_path, monkeypatch):
    monkeypatch.setattr(import_businesses, "BATCH", 1000)
    small = _peak(tmp_path, db, 20_000)
    large = _peak(tmp_path, db, 200_000)
    # Only the per-line report grows (13 bytes a line); the rows themselves are never held
    # (a file read whole, and its rows kept, costs hundreds of bytes a line).
    assert (large - small) / 180_000 < 32, (small, large)
