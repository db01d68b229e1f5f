"""Keys are found in the index file's string tables by the compiled look-up exactly as by
the Python reference (`StringTable.find_many_reference`): the same positions for
keys that are there, -1 for keys that are not, whatever their hashes share; and the
compiled hashes a file is written and read with are the reference's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.search_index import string_tables
from registry.search_index.string_tables import (
    Blob,
    StringTable,
    file_hash,
    first_hash_reference,
    hash_all,
    second_hash_reference,
)

pytestmark = pytest.mark.skipif(
    string_tables.STRING_TABLE is None, reason="the compiled look-up was not built"
)


def table(entries: list[tuple[str, int]]) -> StringTable:
    """A string table of (key, hash) entries, sorted by hash as the writer sorts them."""
    entries = sorted(entries, key=lambda entry: entry[1])
    data, offsets = Blob.build(key.encode() for key, _ in entries)
    hashes = np.array([h for _, h in entries], dtype=np.uint64)
    return StringTable(hashes, Blob(data, offsets))


def both(strings: StringTable, keys: list[str]) -> tuple[list[int], list[int]]:
    compiled = string_tables.STRING_TABLE.find_many(
        keys, strings.hashes, strings.keys.data, strings.keys.offsets
    )
    return compiled, strings.find_many_reference(keys)


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@given(stored=st.sets(words, max_size=40), asked=st.lists(words, max_size=40))
def test_the_compiled_look_up_finds_what_the_reference_finds(stored, asked):
    strings = table([(key, file_hash(key)) for key in stored])
    keys = asked + sorted(stored)
    compiled, reference = both(strings, keys)
    assert compiled == reference
    assert [k for k, at in zip(keys, compiled, strict=True) if at >= 0] == [
        k for k in keys if k in stored
    ]


def test_a_key_sharing_its_hash_with_others_is_told_apart_by_its_bytes():
    h = file_hash("sharma")
    strings = table([("verma", h), ("sharm", h), ("sharma", h), ("gupta", file_hash("gupta"))])
    compiled, reference = both(strings, ["sharma", "verma", "sharm", "sharmaa", "gupta", ""])
    assert compiled == reference
    found = dict(zip(["sharma", "verma", "sharm", "sharmaa", "gupta", ""], compiled, strict=True))
    assert strings.keys.raw(found["sharma"]) == b"sharma"
    assert found["verma"] == -1  # stored under another key's hash: not where it is asked for
    assert found["sharmaa"] == -1 and found[""] == -1
    assert strings.keys.raw(found["gupta"]) == b"gupta"


def test_an_empty_table_finds_nothing():
    assert both(table([]), ["a", ""]) == ([-1, -1], [-1, -1])


def test_searches_read_the_file_through_the_compiled_look_up(monkeypatch):
    """`find_many` takes the twin unless `COMPILED` is off, and answers alike either way."""
    strings = table([(k, file_hash(k)) for k in ("traders", "trader", "tradrs")])
    keys = ["tradrs", "treders", "traders"]
    calls = []
    real = string_tables.STRING_TABLE.find_many
    monkeypatch.setattr(
        string_tables.STRING_TABLE, "find_many", lambda *a: calls.append(a) or real(*a)
    )
    compiled = strings.find_many(keys)
    monkeypatch.setattr(string_tables, "COMPILED", False)
    assert strings.find_many(keys) == compiled
    assert len(calls) == 1
    assert compiled[1] == -1 and strings.keys.raw(compiled[0]) == b"tradrs"


hashes_64 = st.integers(0, 2**64 - 1)


@given(
    stored=st.sets(words, min_size=1, max_size=30),
    filler=st.lists(hashes_64, max_size=400),
    crowd=st.lists(st.integers(-3, 3), max_size=200),
    asked=st.lists(words, max_size=20),
)
def test_the_compiled_look_up_finds_keys_among_hashes_however_they_are_spread(
    stored, filler, crowd, asked
):
    """The compiled look-up guesses a hash's place from the table's spread before
    halving (`_guessed_first_not_below`). Among other entries spread anyhow (at random,
    crowded around the keys' own hashes, at both ends of the 64 bits, repeated) it finds
    what the reference finds: every stored key, and -1 for the others."""
    mine = [(key, file_hash(key)) for key in sorted(stored)]
    near = [
        (f"filler-{n}", min(max(mine[n % len(mine)][1] + offset, 0), 2**64 - 1))
        for n, offset in enumerate(crowd)
    ]
    ends = [("end-0", 0), ("end-1", 0), ("end-2", 2**64 - 1), ("end-3", 2**64 - 1)]
    others = [(f"other-{n}", h) for n, h in enumerate(filler)]
    strings = table(mine + near + ends + others)
    keys = sorted(stored) + asked + ["filler-0", "other-0"]
    compiled, reference = both(strings, keys)
    assert compiled == reference
    for key in sorted(stored):
        assert strings.keys.raw(compiled[keys.index(key)]) == key.encode()


@pytest.mark.parametrize("size", [17, 1000, 100_000])
def test_the_compiled_look_up_finds_every_key_of_a_large_table(size):
    """Past the short ranges halved at once: every key of a table of this size, and none
    of the keys it does not hold."""
    keys = [f"key-{n}" for n in range(size)]
    strings = table([(key, file_hash(key)) for key in keys])
    found, missing = both(strings, keys)[0], both(strings, [f"no-{n}" for n in range(500)])[0]
    assert [strings.keys.raw(at).decode() for at in found] == keys
    assert missing == [-1] * 500


@given(raws=st.lists(st.binary(max_size=40), max_size=30))
def test_the_compiled_hashes_are_the_reference_hashes(raws):
    """A file written with the compiled hashes reads the same through the reference, and
    the other way round: both hashes agree for any bytes, in bulk and one at a time."""
    firsts = [first_hash_reference(raw) for raw in raws]
    seconds = [second_hash_reference(raw) for raw in raws]
    assert hash_all(raws).tolist() == firsts
    assert [hash_all([raw]).tolist() for raw in raws] == [[h] for h in firsts]
    assert hash_all(raws, second=True).tolist() == seconds


def test_the_writer_hashes_alike_without_the_compiled_twin(monkeypatch):
    raws = [b"", b"shree", "श्री".encode(), b"traders"]
    compiled = (hash_all(raws).tolist(), hash_all(raws, second=True).tolist())
    monkeypatch.setattr(string_tables, "COMPILED", False)
    assert (hash_all(raws).tolist(), hash_all(raws, second=True).tolist()) == compiled
    assert compiled[0] != compiled[1]  # the second hash is another hash


def test_short_keys_hashes_spread_over_the_whole_range():
    """The reader guesses a hash's place from its value (`_guessed_first_not_below`), which
    pays only if hashes spread evenly: those of every one- and two-letter key fall in each
    of the 64-bit range's sixteen slices about as often."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    keys = [a + b for a in letters for b in ["", *letters]]
    slices = [0] * 16
    for key in keys:
        slices[file_hash(key) >> 60] += 1
    expected = len(keys) / 16
    assert all(0.6 * expected < count < 1.4 * expected for count in slices), slices


spellings = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x1e\x1f"),
    min_size=1,
    max_size=10,
)


@given(rows=st.lists(st.lists(st.tuples(spellings, spellings), max_size=6), max_size=20))
def test_vocabulary_rows_are_read_by_the_compiled_twin_as_the_reference_reads_them(rows):
    """What a search reads under a query word's variants: each row's (spelling, word)
    pairs, a pair whose spelling is its word stored as the spelling alone."""
    from registry.search_index.file_encoding import PAIR, PAIRS, decode_pairs, encode_pairs

    data, offsets = Blob.build(encode_pairs(row).encode() for row in rows)
    blob = Blob(data, offsets)
    ats = [*range(len(rows)), -1, *reversed(range(len(rows)))]
    read = string_tables.STRING_TABLE.pairs_at(ats, blob.data, blob.offsets, PAIRS, PAIR)
    assert read == [decode_pairs(blob.raw(at).decode()) if at >= 0 else None for at in ats]
    assert read[: len(rows)] == [tuple(row) for row in rows]
