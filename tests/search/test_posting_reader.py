"""The compiled reader of the index file's posting lists (`registry.search_index._postings`)
gives exactly the ids the numpy reference gives (`mapped_file.head_without`,
`MappedFile.first_in_city_reference`): a list's head less the businesses changed
since the file was written, and its head within one city, whatever falls where."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.actors import SYSTEM
from registry.directory import businesses as directory
from registry.search_index import mapped_file
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.mapped_file import MappedFile
from tests.search.test_index_file import lists_and_changes, write_file

TWIN = mapped_file.POSTINGS


def test_the_reader_is_built():
    """`make install` builds it; without it the reference reads the lists."""
    assert TWIN is not None
    assert mapped_file.COMPILED


def as_array(values):
    return np.array(values, dtype=np.int32)


@settings(max_examples=400, deadline=None)
@given(lists=lists_and_changes())
def test_a_lists_head_less_the_changed_is_the_references(lists):
    ids, changed, cap = lists
    expected = mapped_file.head_without(as_array(ids), as_array(changed), cap)[:cap].tolist()
    assert TWIN.head(as_array(ids), as_array(changed), -1 if cap is None else cap) == expected


@st.composite
def lists_in_cities(draw):
    """A posting list with each entry's city (a few cities, one of them asked for),
    changed businesses (on the list, in the city or not, and elsewhere), and a cap."""
    ids, changed, cap = draw(lists_and_changes())
    cities = draw(st.lists(st.integers(0, 3), min_size=len(ids), max_size=len(ids)))
    return ids, cities, draw(st.integers(0, 3)), changed, cap


@settings(max_examples=400, deadline=None)
@given(lists=lists_in_cities(), block=st.sampled_from([1, 3, 16]))
def test_a_lists_head_in_one_city_is_the_references(lists, block):
    """The reference reads the list in growing blocks (`CITY_BLOCK`, here made small so
    that the blocks' edges fall anywhere); the twin walks it once."""
    ids, cities, city, changed, cap = lists
    file = SimpleNamespace(posting_ids=as_array(ids), posting_cities=as_array(cities))
    gone_ids = as_array(changed) if changed else None
    with mock.patch.object(mapped_file, "CITY_BLOCK", block):
        expected = MappedFile.first_in_city_reference(file, city, (0, len(ids)), gone_ids, cap)
    gone = set(changed)
    wanted = [i for i, c in zip(ids, cities, strict=True) if c == city and i not in gone]
    assert expected == wanted[:cap]
    found = TWIN.in_city(
        as_array(ids), as_array(cities), city, as_array(changed), -1 if cap is None else cap
    )
    assert found == expected


def test_ids_and_cities_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        TWIN.in_city(as_array([1, 2, 3]), as_array([0, 0]), 0, as_array([]), -1)


@settings(max_examples=300, deadline=None)
@given(
    lists=st.lists(lists_in_cities(), max_size=5),
    changed=st.lists(st.integers(0, 400), max_size=40, unique=True).map(sorted),
    cap=st.integers(-1, 30),
    city=st.integers(0, 3),
    data=st.data(),
)
def test_many_lists_read_in_one_call_are_each_read_alone(lists, changed, cap, city, data):
    """`heads` reads a search's lists, one after another in the file's arrays, in one
    call (everywhere, or with their cities in one city): each as `head` and `in_city` read
    it alone, in the order asked (a list asked twice, a position of no list)."""
    ids = [i for one, *_ in lists for i in one]
    cities = [c for _, in_cities, *_ in lists for c in in_cities]
    offsets = np.cumsum([0, *(len(one) for one, *_ in lists)]).astype(np.int64)
    positions = data.draw(st.lists(st.integers(-1, len(lists) - 1), max_size=8))
    all_ids, all_cities, gone = as_array(ids), as_array(cities), as_array(changed)

    def alone(p, read):
        return [] if p < 0 else read(offsets[p], offsets[p + 1])

    assert TWIN.heads(all_ids, offsets, positions, gone, cap) == [
        alone(p, lambda a, b: TWIN.head(all_ids[a:b], gone, cap)) for p in positions
    ]
    assert TWIN.heads(all_ids, offsets, positions, gone, cap, all_cities, city) == [
        alone(p, lambda a, b: TWIN.in_city(all_ids[a:b], all_cities[a:b], city, gone, cap))
        for p in positions
    ]
    with pytest.raises(IndexError):
        TWIN.heads(all_ids, offsets, [len(lists)], gone, cap)
    with pytest.raises(ValueError, match="differ in length"):
        TWIN.heads(all_ids, offsets, positions, gone, cap, as_array([*cities, 0]), city)


CITIES = ["Pune", "Surat", "Pune", "Indore", None, "Pune", "Surat", "Pune"]


def test_a_files_lists_with_changes_pending_are_read_as_the_reference_reads_them(
    db, tmp_path, monkeypatch
):
    """On a real file (its arrays mapped read-only), with businesses changed since it
    was written: every key's list, whole and capped, everywhere and in each city."""
    made = [
        directory.create(db, SYSTEM, f"Shree Balaji Traders {n}", city=city)
        for n, city in enumerate(CITIES)
    ]
    write_file(db, tmp_path / "index")
    for business in made[1::3]:
        directory.add_alias(db, business, "Balaji Trading Company", "filing")
    copy = MappedIndexCopy.open(tmp_path / "index")
    assert copy is not None
    copy.catch_up(db.connection())
    assert copy.changed == {b.id for b in made[1::3]}
    table = copy.file.posting_keys.keys
    keys = sorted({table.raw(i).decode() for i in range(len(table))})
    assert len(keys) > 10
    keys += ["t:nowhere", *copy.own_postings]  # a key of no list; the overlay's own keys

    def read():
        return [
            copy.capped(keys, cap, city)
            for cap in (1, 2, 5, 1001)
            for city in (None, "pune", "surat", "nowhere")
        ]

    compiled = read()
    monkeypatch.setattr(mapped_file, "COMPILED", False)
    reference = read()
    assert compiled == reference
    everywhere, in_pune = compiled[-3]
    changed_in_pune = {b.id for b in made[1::3] if b.city == "Pune"}
    assert changed_in_pune  # the overlay's own ids come back with the file's
    assert changed_in_pune <= {i for ids in in_pune.values() for i in ids}
    assert {b.id for b in made[1::3]} <= {i for ids in everywhere.values() for i in ids}
