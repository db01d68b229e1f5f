"""The compiled reader of the index file's candidates (`registry.search_index._candidates`)
makes exactly the candidates the Python reference makes (`MappedFile.candidate_reference`):
every field of the name and of each alias, for every business of a file, and None where
the file holds no names; and leaves them to reference counting alone."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalise import NormalName
from matching.score import Candidate
from registry.actors import SYSTEM
from registry.directory import businesses as directory
from registry.search_index import mapped_file
from registry.search_index.file_encoding import SEPARATOR
from registry.search_index.mapped_copy import MappedIndexCopy
from tests.search.test_index_file import write_file

NAMES = [
    ("Shree Balaji Traders", "Pune", None),
    ("M/s. A.K.R. Steels & Co. Pvt. Ltd.", "Mumbai", None),
    ("Laxmi Paper Mart LLP", "Surat", "Lakshmi Papers"),
    ("S K Enterprises (Prop. Ramesh Kumar)", None, "S.K. Enterprise"),
    ("श्री गणेश ट्रेडर्स", "Indore", "Shri Ganesh Traders"),
    ("Vastralaya Bhandar, Jaipur", "Jaipur", None),
    ("J.T.J. Builders and Developers Private Limited", "Chennai", "JTJ Builders"),
    ("Café Überall Foods", "Delhi", None),
]


def fields(candidate):
    """Every field of a candidate and of its names, as plain values."""
    if candidate is None:
        return None
    names = [candidate.name, *candidate.aliases]
    return (
        candidate.id,
        candidate.city,
        candidate.state,
        [
            (
                n.core,
                n.tokens,
                n.folded_tokens,
                n.spelled_tokens,
                n.legal_form,
                n.city_hint,
                n.owner,
                n.initials,
            )
            for n in names
        ],
    )


def mapped_names(db, tmp_path) -> tuple[list[int], MappedIndexCopy]:
    """The businesses of `NAMES` (with their aliases) made, and an index file of them
    mapped."""
    made = []
    for name, city, alias in NAMES:
        business = directory.create(db, SYSTEM, name, city=city)
        if alias:
            directory.add_alias(db, business, alias, "filing")
        made.append(business.id)
    write_file(db, tmp_path / "index")
    copy = MappedIndexCopy.open(tmp_path / "index")
    assert copy is not None
    return made, copy


def test_the_reader_is_built():
    """`make install` builds it; without it the reference reads the candidates."""
    assert mapped_file.CANDIDATES is not None
    assert mapped_file.COMPILED


def test_every_candidate_of_a_file_is_read_as_the_reference_reads_it(db, tmp_path):
    made, copy = mapped_names(db, tmp_path)
    file = copy.file
    size = len(file.name_positions["names"])
    asked = [*range(-3, size + 3), 2**40, 2**70, -(2**70)]
    read = [file.candidate(i) for i in asked]
    assert [fields(c) for c in read] == [fields(file.candidate_reference(i)) for i in asked]
    assert read == [file.candidate_reference(i) for i in asked]
    # what the reader found is every business made, with its alias
    found = {c.id: c for c in read if c is not None}
    assert sorted(found) == sorted(made)
    assert [a.core for a in found[made[2]].aliases] == ["lakshmi papers"]
    assert found[made[1]].name.initials and found[made[1]].name.legal_form


def test_a_search_reads_the_same_candidates_either_way(db, tmp_path, monkeypatch):
    made = [directory.create(db, SYSTEM, name, city=city).id for name, city, _ in NAMES]
    write_file(db, tmp_path / "index")
    copy = MappedIndexCopy.open(tmp_path / "index")
    assert copy is not None
    ids = [*made, max(made) + 1, 0]  # with one past the last and one never made
    compiled = copy.candidates(ids)
    monkeypatch.setattr(mapped_file, "COMPILED", False)
    assert copy.candidates(ids) == compiled
    assert sorted(compiled) == sorted(made)


def test_candidates_kept_by_a_worker_are_left_to_reference_counting(db, tmp_path):
    """A worker keeps thousands of candidates (`mapped_copy.CANDIDATES_KEPT`). Tracked by
    the garbage collector, every full collection walked them all (some 0.4 ms a search
    request, counted in process); they can be in no reference cycle, so the reader leaves
    them, their names and their names' tuples and sets untracked. They are still freed
    when let go."""
    made, copy = mapped_names(db, tmp_path)
    read = [copy.file.candidate(i) for i in made]
    parts = [
        part
        for candidate in read
        for name in (candidate.name, *candidate.aliases)
        for part in (name, name.tokens, name.folded_tokens, name.spelled_tokens, name.initials)
    ]
    assert any(c.aliases for c in read) and any(p for p in parts if isinstance(p, frozenset))
    assert not any(gc.is_tracked(x) for x in [*read, *(c.aliases for c in read), *parts])
    assert gc.is_tracked(copy.file.candidate_reference(made[2]))  # as Python makes them

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(2_000):
            [copy.file.candidate(i) for i in made]
        assert tracemalloc.get_traced_memory()[0] - before < 50_000  # nothing left behind
    finally:
        tracemalloc.stop()


class Weighed:
    """Stands for a search's `TokenStats`: the words each search asked it to weigh."""

    def __init__(self):
        self.asked = []

    def weigh_new(self, tokens, read):
        self.asked.append(set(tokens))
        assert read(tokens).keys() == set(tokens)  # their frequencies read at once


def test_the_compiled_loop_keeps_and_weighs_as_the_reference_does(db, tmp_path, monkeypatch):
    """A search's candidates read a second time are kept for the next searches (those read
    once are let go), and the words of those read afresh are weighed at once: the first
    search with a search's weights weighs every candidate's words, later ones only those of
    candidates read afresh."""
    made = [directory.create(db, SYSTEM, name, city=city).id for name, city, _ in NAMES]
    write_file(db, tmp_path / "index")
    asked = [made[:3], made[:5], made[2:], [made[6], max(made) + 1]]

    def searches(compiled):
        monkeypatch.setattr(mapped_file, "COMPILED", compiled)
        copy = MappedIndexCopy.open(tmp_path / "index")
        stats = Weighed()
        found = [copy.candidates(ids, stats) for ids in asked]
        again = copy.candidates(made, Weighed())  # other weights: every word told
        return found, again, stats.asked, copy._candidates, copy._seen_once

    compiled, reference = searches(True), searches(False)
    assert compiled[:3] == reference[:3]
    found = compiled[0]
    assert [sorted(f) for f in found] == [sorted(ids) for ids in asked[:3]] + [[made[6]]]
    assert (
        compiled[2]
        == [
            words_of(found[0].values()),
            words_of(found[1].values()),  # the first three read again, kept from now on
            words_of(found[2][i] for i in made[3:]),  # the third was kept
            words_of([found[3][made[6]]]),  # read a second time
        ]
    )
    assert compiled[1] == {i: found[0].get(i) or found[1].get(i) or found[2][i] for i in made}
    for kept_c, kept_r in zip(compiled[3:], reference[3:], strict=True):
        assert (kept_c.newer, kept_c.older) == (kept_r.newer, kept_r.older)
    # after the last search (every business asked again), each has been read twice: kept
    assert sorted(compiled[3].newer) == sorted(made)
    assert sorted(compiled[4].newer) == sorted([*made, max(made) + 1])  # each read once


def words_of(candidates):
    return {t for c in candidates for n in (c.name, *c.aliases) for t in n.folded_tokens}


# Any text a name's fields may hold once normalised, and more: runs of spaces, empty words,
# letters of other scripts, but never the separators themselves.
_FIELD_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\x1e\x1f", blacklist_categories=("Cs",)),
    max_size=12,
)
_WORDS = st.lists(st.text(alphabet="abcé गण .", max_size=6), max_size=4).map(" ".join)


@st.composite
def _encoded_names(draw):
    """A `NormalName.encode()` line of arbitrary fields, its word fields often the same
    text (so that the reader's sharing of one tuple is tried) and often not."""
    tokens = draw(_WORDS)
    folded = draw(st.one_of(st.just(tokens), _WORDS))
    spelled = draw(st.one_of(st.just(tokens), _WORDS))
    legal, city, owner = (draw(_FIELD_TEXT) for _ in range(3))
    return "\x1f".join(
        [draw(_FIELD_TEXT), tokens, folded, spelled, legal, city, owner, draw(_WORDS)]
    )


def _reader_over(lines: list[str]):
    """A compiled reader over these candidate lines, business i holding line i."""
    data = [line.encode() for line in lines]
    offsets = np.cumsum([0, *map(len, data)], dtype=np.int64)
    positions = np.arange(len(lines), dtype=np.int32)
    assert mapped_file.CANDIDATES is not None
    return mapped_file.CANDIDATES.CandidateReader(
        np.frombuffer(b"".join(data) or b"\0", dtype=np.uint8),
        offsets,
        positions,
        NormalName,
        Candidate,
        mapped_file.NO_INITIALS,
        SEPARATOR,
    )


@settings(max_examples=300, deadline=None)
@given(
    place=st.tuples(_FIELD_TEXT, _FIELD_TEXT),
    names=st.lists(_encoded_names(), min_size=1, max_size=3),
)
def test_any_candidate_line_is_read_as_the_reference_reads_it(place, names):
    """The reader finds each field in the line's bytes and decodes only what it keeps; the
    reference splits the decoded line. Both make the same candidate, field for field, from
    any line: other scripts, empty fields and words, runs of spaces."""
    line = SEPARATOR.join([*place, *names])
    read = _reader_over([line])(0)
    expected = mapped_file._candidate(0, line)
    assert fields(read) == fields(expected)
    for made, reference in zip(
        (read.name, *read.aliases), (expected.name, *expected.aliases), strict=True
    ):  # a words field spelled like `tokens` shares its tuple, as in `NormalName.decode`
        assert (made.folded_tokens is made.tokens) == (reference.folded_tokens is reference.tokens)
        assert (made.spelled_tokens is made.tokens) == (
            reference.spelled_tokens is reference.tokens
        )


@pytest.mark.parametrize(
    "line",
    [
        "pune",  # one field
        "pune\x1emh",  # no name
        "pune\x1emh\x1ea\x1fb",  # a name of two fields
        "pune\x1emh\x1e" + "\x1f".join("abcdefgh") + "\x1fi",  # of nine
        "pune\x1emh\x1e" + "\x1f".join("abcdefgh") + "\x1e",  # an empty alias
    ],
)
def test_a_broken_line_is_refused_as_the_reference_refuses_it(line):
    """A line of another layout (a file of another format, or damaged) is refused, not
    read as something else."""
    with pytest.raises(ValueError):
        mapped_file._candidate(0, line)
    with pytest.raises(ValueError, match=r"^a (candidate line|normal name) of \d+ fields$"):
        _reader_over([line])(0)
