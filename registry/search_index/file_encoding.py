"""The index file's encoding of a chunk of the index: flat arrays, pure functions.

What a chunk of posting entries, word frequencies, vocabulary rows or businesses' names
becomes before `registry.search_index.file_writer` spills it: each string table's distinct
keys with their two 64-bit hashes (`Keys`), each entry as integer arrays pointing at them
(`Encoded`), and each business's name rows as a JSON line plus, for shown businesses, the
candidate record prepared for scoring (`prepared`: the line `mapped_file` builds a
`Candidate` from without JSON or normalising). These functions touch no file and no
database, so a pool of processes can run them beside the process that writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.normalise import canonical_city, normalise
from matching.score import canonical_state
from registry.search_index.database_index import NameRow
from registry.search_index.string_tables import hash_all

#: The layout's version: a reader ignores a file of another (the worker writes a new one).
FORMAT = 3
#: Between the fields of a prepared candidate (`NormalName.encode` uses "\x1f" within one).
SEPARATOR = "\x1e"
#: Between the (spelling, word) pairs of a vocabulary row, and between a pair's two
#: (`encode_pairs`); neither is ever part of a word.
PAIRS, PAIR = "\x1e", "\x1f"


def encode_pair(spelling: str, word: str) -> str:
    """One (spelling, word) pair of a vocabulary row; the spelling alone when it is the
    word (most of them)."""
    return spelling if spelling == word else f"{spelling}{PAIR}{word}"


def encode_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    """A vocabulary row as the file stores it (`decode_pairs` reads it)."""
    return PAIRS.join(encode_pair(spelling, word) for spelling, word in pairs)


def decode_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """A vocabulary row's pairs. Until format 3 a row was JSON, and `json.loads` took
    about 3 microseconds a row where this takes 1.3: a first-time search reads some 15."""
    if not text:
        return ()
    pairs = []
    for item in text.split(PAIRS):
        spelling, apart, word = item.partition(PAIR)
        pairs.append((spelling, word) if apart else (spelling, spelling))
    return tuple(pairs)


#: One distinct key of a chunk: its two hashes and its length in UTF-8 bytes.
KEY_RECORD = np.dtype([("h1", "<u8"), ("h2", "<u8"), ("length", "<i4")])


@dataclass
class Keys:
    """Distinct strings of one chunk, each with its two hashes, as flat arrays."""

    table: npt.NDArray[Any]  # KEY_RECORD records
    data: bytes

    @staticmethod
    def of(keys: list[str]) -> Keys:
        raws = [k.encode() for k in keys]
        table = np.empty(len(raws), dtype=KEY_RECORD)
        table["h1"] = hash_all(raws)
        table["h2"] = hash_all(raws, second=True)
        table["length"] = [len(r) for r in raws]
        return Keys(table, b"".join(raws))


@dataclass
class Encoded:
    """A chunk of one string table, ready to spill: its distinct keys and, per entry,
    the key's position among them and up to two integer values."""

    table: str
    keys: Keys
    key_of: npt.NDArray[np.int32]
    first: npt.NDArray[Any]
    second: npt.NDArray[Any] | None = None
    #: postings: the cities `second` numbers (-1: none); vocabulary: the (spelling, token)
    #: pairs `first` numbers
    names: list[Any] | None = None


def encode_postings(rows: Iterable[tuple[str, int, str | None]]) -> Encoded:
    """Posting entries (key, business id, canonical city)."""
    key_at: dict[str, int] = {}
    city_at: dict[str | None, int] = {None: -1}
    key_of, ids, cities = [], [], []
    for key, business_id, city in rows:
        at = key_at.get(key)
        if at is None:
            at = key_at[key] = len(key_at)
        number = city_at.get(city)
        if number is None:
            number = city_at[city] = len(city_at) - 1
        key_of.append(at)
        ids.append(business_id)
        cities.append(number)
    return Encoded(
        "postings",
        Keys.of(list(key_at)),
        np.array(key_of, dtype=np.int32),
        np.array(ids, dtype=np.int32),
        np.array(cities, dtype=np.int32),
        [c for c in city_at if c is not None],
    )


def encode_frequencies(counts: Mapping[str, int]) -> Encoded:
    """Word frequencies; a word given in several chunks counts their sum."""
    tokens = list(counts)
    return Encoded(
        "frequencies",
        Keys.of(tokens),
        np.arange(len(tokens), dtype=np.int32),
        np.array([counts[t] for t in tokens], dtype=np.int64),
    )


def encode_vocabulary(rows: Iterable[tuple[str, str, str]]) -> Encoded:
    """Vocabulary rows (variant, spelling, word); a row given twice is stored once."""
    key_at: dict[str, int] = {}
    pair_at: dict[tuple[str, str], int] = {}
    key_of, pairs = [], []
    for variant, spelling, token in rows:
        at = key_at.get(variant)
        if at is None:
            at = key_at[variant] = len(key_at)
        pair = pair_at.get((spelling, token))
        if pair is None:
            pair = pair_at[(spelling, token)] = len(pair_at)
        key_of.append(at)
        pairs.append(pair)
    return Encoded(
        "vocabulary",
        Keys.of(list(key_at)),
        np.array(key_of, dtype=np.int32),
        np.array(pairs, dtype=np.int32),
        names=list(pair_at),
    )


@dataclass
class EncodedNames:
    """Businesses' name rows as the file stores them: a JSON line each and, for shown
    businesses, the candidate record prepared for scoring."""

    hidden: bool
    ids: npt.NDArray[np.int32]
    rows: bytes
    row_lengths: npt.NDArray[np.int64]
    candidates: bytes
    candidate_lengths: npt.NDArray[np.int64]


def prepared(rows: Iterable[NameRow]) -> str:
    """A business's candidate record as one line: canonical city, canonical state, then
    the encoded normal form of each name, own name first (as `candidates_of` orders
    them; a name stored without one is normalised here, once, instead of per search)."""
    rows = tuple(rows)
    own = next(row for row in rows if row[1] == 0)
    names = [own, *(row for row in rows if row[1] != 0)]
    return SEPARATOR.join(
        (
            canonical_city(own[3]) or "",
            canonical_state(own[4]) or "",
            *(row[5] or normalise(row[2]).encode() for row in names),
        )
    )


def encode_names(items: Iterable[tuple[int, tuple[NameRow, ...]]], hidden: bool) -> EncodedNames:
    """Each business's rows of the "names" statement: of shown businesses (candidates) or
    of merged ones (`hidden`: their words still count)."""
    ids, rows, candidates = [], [], []
    for business_id, name_rows in items:
        ids.append(business_id)
        rows.append(json.dumps([row[1:] for row in name_rows], separators=(",", ":")).encode())
        if not hidden:
            candidates.append(prepared(name_rows).encode())
    return EncodedNames(
        hidden,
        np.array(ids, dtype=np.int32),
        b"".join(rows),
        np.array([len(r) for r in rows], dtype=np.int64),
        b"".join(candidates),
        np.array([len(c) for c in candidates], dtype=np.int64),
    )
