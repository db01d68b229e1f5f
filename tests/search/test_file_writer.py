"""The streaming writer of the index file (`registry.search_index.file_writer`) writes, from
chunks in any order and with spilling to many partitions, the very file the in-memory
writer it replaced wrote (kept here as the reference), and searches answer the same."""

from __future__ import annotations

import filecmp
import io
import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.actors import SYSTEM
from registry.directory import businesses as directory
from registry.directory import merges
from registry.search_index import file_writer, index_file
from registry.search_index.file_encoding import (
    FORMAT,
    PAIR,
    PAIRS,
    decode_pairs,
    encode_pairs,
    prepared,
)
from registry.search_index.file_writer import NpyStream, Writer, _gather
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.memory_copy import IndexCopy
from registry.search_index.process_index import IndexCopies
from registry.search_index.string_tables import first_hash_reference
from tests.search.test_index_copy import answers

# -- the reference: the writer that held the whole index in memory (the format of today) --


def _hash(key: str) -> int:
    return first_hash_reference(key.encode())


def _blob(items: Iterable[bytes]) -> tuple[Any, Any]:
    parts = list(items)
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return np.frombuffer(b"".join(parts), dtype=np.uint8), offsets


def _ordered(keys: Iterable[str]) -> tuple[list[str], Any]:
    pairs = sorted((_hash(k), k) for k in keys)
    return [k for _, k in pairs], np.array([h for h, _ in pairs], dtype=np.uint64)


def _save_strings(folder: Path, name: str, keys: list[str], hashes: Any) -> None:
    np.save(folder / f"{name}.hash.npy", hashes)
    data, offsets = _blob(k.encode() for k in keys)
    np.save(folder / f"{name}.keys.npy", data)
    np.save(folder / f"{name}.keys.off.npy", offsets)


def _save_json(folder: Path, name: str, values: Iterable[Any]) -> None:
    data, offsets = _blob(json.dumps(v, separators=(",", ":")).encode() for v in values)
    np.save(folder / f"{name}.npy", data)
    np.save(folder / f"{name}.off.npy", offsets)


def reference_arrays(copy: IndexCopy, folder: Path) -> None:
    """The arrays as the in-memory writer wrote them from a loaded copy."""
    folder.mkdir(parents=True)
    cities: dict[str | None, int] = {None: -1}
    keys, hashes = _ordered(copy.postings)
    _save_strings(folder, "postings", keys, hashes)
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([len(copy.postings[k]) for k in keys], out=offsets[1:])
    ids = np.empty(int(offsets[-1]), dtype=np.int32)
    city_numbers = np.empty(int(offsets[-1]), dtype=np.int32)
    for i, key in enumerate(keys):
        start, end = int(offsets[i]), int(offsets[i + 1])
        posting = copy.postings[key]
        ids[start:end] = posting
        city_numbers[start:end] = [
            cities.setdefault(copy._city(b, key), len(cities) - 1) for b in posting
        ]
    np.save(folder / "postings.ids.npy", ids)
    np.save(folder / "postings.off.npy", offsets)
    np.save(folder / "postings.city.npy", city_numbers)
    tokens, hashes = _ordered(copy.doc_freq)
    _save_strings(folder, "frequencies", tokens, hashes)
    np.save(folder / "frequencies.npy", np.array([copy.doc_freq[t] for t in tokens], np.int64))
    variants, hashes = _ordered(copy.vocabulary)
    _save_strings(folder, "vocabulary", variants, hashes)
    data, offsets = _blob(encode_pairs(copy.vocabulary[v]).encode() for v in variants)
    np.save(folder / "vocabulary.npy", data)
    np.save(folder / "vocabulary.off.npy", offsets)
    for name, table in (("names", copy.names), ("hidden", copy.hidden)):
        business_ids = sorted(table)
        positions = np.full((business_ids[-1] + 1) if business_ids else 0, -1, dtype=np.int32)
        positions[business_ids] = np.arange(len(business_ids), dtype=np.int32)
        np.save(folder / f"{name}.pos.npy", positions)
        _save_json(folder, name, ([row[1:] for row in table[b]] for b in business_ids))
    data, offsets = _blob(prepared(copy.names[b]).encode() for b in sorted(copy.names))
    np.save(folder / "candidates.npy", data)
    np.save(folder / "candidates.off.npy", offsets)
    header = {
        "format": FORMAT,
        "generation": copy.generation,
        "stamp": copy.stamp,
        "cities": [c for c, n in sorted(cities.items(), key=lambda item: item[1]) if n >= 0],
        "businesses": len(copy.names),
    }
    (folder / "header.json").write_text(json.dumps(header))


# -- helpers -------------------------------------------------------------------------------

NAMES = [
    ("Shree Balaji Traders", "Pune"),
    ("Laxmi Paper Mart Pvt Ltd", "Surat"),
    ("Ganesh Steel", None),
    ("Balaji Textiles & Co", "Jodhpur"),
    ("Shri Laxmi Traders", "Pune"),
    ("Mahalaxmi Steels LLP", "Surat"),
    ("S.B.T. Enterprises", None),
    ("Ganesh Paper Mills", "Pune"),
]


@pytest.fixture
def registry(db):
    """A directory with cities and none, aliases, and a merged business (hidden rows)."""
    made = [directory.create(db, SYSTEM, name, city=city) for name, city in NAMES]
    directory.add_alias(db, made[0], "Balaji Trading Company", "filing")
    directory.add_alias(db, made[3], "Balaaji Textile", "filing")
    merges.merge(db, made[4].id, made[1].id, SYSTEM)
    return made


def loaded(db) -> IndexCopy:
    copy = IndexCopy.load(db.connection())
    # the tables list one variant's rows in no particular order; the file lists them by
    # (spelling, word), as the generated-names bench always did
    copy.vocabulary = {v: tuple(sorted(rows)) for v, rows in copy.vocabulary.items()}
    return copy


def same_files(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert (mismatch, errors) == ([], [])


@pytest.fixture
def tiny(monkeypatch):
    """Chunks of a few entries and 8 partitions: every table spills many times."""
    monkeypatch.setattr(file_writer, "PARTITIONS", 8)
    monkeypatch.setattr(index_file, "CHUNK", 3)
    monkeypatch.setattr(index_file, "NAMES_CHUNK", 2)


# -- tests ---------------------------------------------------------------------------------


def test_the_file_from_the_tables_is_the_in_memory_writers_byte_for_byte(
    db, tmp_path, registry, tiny
):
    reference = tmp_path / "reference"
    copy = loaded(db)
    assert copy.hidden, "a merged business's rows are in the file too"
    reference_arrays(copy, reference)
    streamed = index_file.write_from_tables(db.connection(), tmp_path / "tables")
    from_copy = index_file.write(copy, tmp_path / "copy")
    same_files(reference, streamed)
    same_files(reference, from_copy)


def test_searches_from_the_streamed_file_answer_what_the_tables_answer(
    db, tmp_path, registry, tiny
):
    index_file.write_from_tables(db.connection(), tmp_path / "index")
    copies = IndexCopies(background=False, directory=tmp_path / "index")
    assert answers(db, copies) == answers(db, None)
    assert isinstance(copies.copy, MappedIndexCopy)
    assert any(answers(db, None)), "the queries find something"


@pytest.mark.parametrize("partitions", [1, 2, 16])
def test_chunks_in_any_order_make_the_same_file(db, tmp_path, registry, partitions):
    """Posting entries shuffled, a word's count split over chunks, vocabulary rows given
    twice, businesses' names in descending order: the file is the same."""
    copy = loaded(db)
    reference_arrays(copy, tmp_path / "reference")
    rng = random.Random(partitions)
    folder = tmp_path / "shuffled"
    folder.mkdir()
    writer = Writer(folder, copy.generation, copy.stamp, partitions)
    entries = [(k, b, copy._city(b, k)) for k, ids in copy.postings.items() for b in ids]
    rng.shuffle(entries)
    for start in range(0, len(entries), 5):
        writer.add_postings(entries[start : start + 5])
    for token, count in copy.doc_freq.items():
        writer.add_frequencies({token: count - count // 2})
        writer.add_frequencies({token: count // 2})
    rows = [(v, s, t) for v, pairs in copy.vocabulary.items() for s, t in pairs]
    rng.shuffle(rows)
    writer.add_vocabulary(rows[: len(rows) // 2])
    writer.add_vocabulary(rows)
    for hidden, table in ((False, copy.names), (True, copy.hidden)):
        for business_id in sorted(table, reverse=True):
            writer.add_names([(business_id, table[business_id])], hidden)
    assert any((folder / ".spill").iterdir())
    writer.finish()
    assert not (folder / ".spill").exists(), "the scratch files are removed"
    same_files(tmp_path / "reference", folder)


def test_a_business_given_twice_is_refused(tmp_path):
    writer = Writer(tmp_path, 1, 1)
    rows = ((1, 0, "Shree Balaji Traders", "Pune", None, None),)
    writer.add_names([(1, rows)], hidden=False)
    writer.add_names([(1, rows)], hidden=False)
    with pytest.raises(ValueError, match="given twice"):
        writer.finish()
    writer.close()
    assert not (tmp_path / ".spill").exists()


def test_an_empty_index_is_written_and_read(tmp_path):
    written = index_file.publish(tmp_path, 3, 7, lambda writer: None)
    copy = MappedIndexCopy.open(tmp_path)
    assert copy is not None and (copy.generation, copy.stamp) == (3, 7)
    assert copy.postings_of(["t:balaji"]) == {}
    assert copy.candidates([1]) == {}
    assert json.loads((written / "header.json").read_text())["businesses"] == 0


@pytest.mark.parametrize(
    "values", [np.arange(0, dtype=np.int32), np.arange(5, dtype=np.uint64), np.arange(70_000)]
)
def test_a_streamed_npy_file_is_what_np_save_writes(tmp_path, values):
    out = NpyStream(tmp_path / "streamed.npy", values.dtype)
    for start in range(0, len(values), 30_000):
        out.append(values[start : start + 30_000])
    out.close()
    saved = io.BytesIO()
    np.save(saved, values)
    assert (tmp_path / "streamed.npy").read_bytes() == saved.getvalue()


def test_gathering_byte_strings_with_numpy_is_slicing_them_one_by_one():
    rng = random.Random(5)
    data = bytes(rng.randrange(256) for _ in range(500))
    starts = [rng.randrange(480) for _ in range(60)]
    lengths = [rng.randrange(20) for _ in range(60)]
    expected = b"".join(data[s : s + n] for s, n in zip(starts, lengths, strict=True))
    gathered = _gather(np.frombuffer(data, dtype=np.uint8), starts, lengths)
    assert gathered.tobytes() == expected


_word = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters=PAIRS + PAIR),
    min_size=1,
    max_size=10,
)


@given(pairs=st.lists(st.tuples(_word, _word | st.just("same")), min_size=1, max_size=8))
def test_a_vocabulary_row_reads_back_as_it_was_written(pairs):
    """The file stores a variant's (spelling, word) pairs as text (`encode_pairs`); read
    back, they are the same pairs in the same order, whether spelling and word differ."""
    pairs = [(spelling, spelling if word == "same" else word) for spelling, word in pairs]
    assert decode_pairs(encode_pairs(pairs)) == tuple(pairs)
