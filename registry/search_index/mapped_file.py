"""One generation of the index file, mapped read-only: what a process reads of it.

`registry.search_index.index_file` writes each generation into a folder of its own and
names the newest by the link `current` (`current_folder`). `MappedFile` maps its arrays:
the page cache holds them once per machine, whatever the number of processes. It answers
what the file holds and nothing else: where a key's posting list lies and its head, less
the businesses a caller says have changed since the file was written (`head`, `heads`,
`first_in_city`), a business's prepared candidate record and name rows, words'
frequencies, the vocabulary rows under variants. What a process adds of its own (the
overlay of changes since the file, the reads it keeps at hand) is
`registry.search_index.mapped_copy`'s.

The compiled twins read the arrays where they are built (`_candidates.pyx`,
`_postings.pyx`, `_string_table.pyx`); `COMPILED` set to False sends every read here
through the Python references, as the tests that hold the two equal do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.compiled import compiled_twin
from matching.normalise import NormalName
from matching.score import Candidate
from registry.search_index import string_tables
from registry.search_index.database_index import NameRow
from registry.search_index.file_encoding import FORMAT, PAIR, PAIRS, SEPARATOR, decode_pairs
from registry.search_index.string_tables import Blob, StringTable

#: The link naming the generation readers map; swapped atomically by the writer.
CURRENT = "current"
#: The first block of a posting list read for a search in one city (each next one twice
#: as long): a few thousand entries hold a short list, or the head a search wants.
CITY_BLOCK = 1 << 14

#: The compiled twin of `MappedFile.candidate_reference` (`_candidates.pyx`), None when
#: not built.
CANDIDATES = compiled_twin("registry.search_index._candidates")
#: The compiled twin of `head_without` and `MappedFile.first_in_city_reference`
#: (`_postings.pyx`), None when not built.
POSTINGS = compiled_twin("registry.search_index._postings")
#: Whether the compiled twins read the file (False: the references everywhere).
COMPILED = CANDIDATES is not None
#: No business changed: what the posting twin is handed then.
NONE_CHANGED: npt.NDArray[np.int32] = np.empty(0, dtype=np.int32)
#: The initials of a name without any, one object for all the twin reads.
NO_INITIALS: frozenset[str] = frozenset()

#: Vocabulary rows as the file keeps them: (spelling, folded token) pairs.
VariantRows = tuple[tuple[str, str], ...]


def current_folder(directory: Path) -> Path | None:
    """The generation folder `current` names, if any."""
    try:
        return (directory / CURRENT).resolve(strict=True)
    except OSError:
        return None


def _candidate(business_id: int, line: str) -> Candidate:
    city, state, own, *aliases = line.split(SEPARATOR)
    decode = NormalName.decode
    return Candidate.of(
        business_id,
        decode(own),
        city or None,
        state or None,
        tuple(map(decode, aliases)) if aliases else (),
    )


def head_without(
    ids: npt.NDArray[np.int32],
    changed: npt.NDArray[np.int32] | None,
    cap: int | None = None,
) -> npt.NDArray[np.int32]:
    """`ids` less those in `changed` (both ascending, each id once), the first `cap` of
    them wanted: a posting list of the file less the businesses changed since it was
    written. Only the list's first `cap + len(changed)` ids can hold the first `cap` that
    stay, so only those are looked at (a common word's list runs to tens of thousands at a
    million businesses, and with changes pending every search filtered each one whole),
    each found or not among the changed by a binary search (`np.isin` sorted both)."""
    if changed is None or not len(changed) or not len(ids):
        return ids
    if cap is not None:
        ids = ids[: cap + len(changed)]
    at = np.searchsorted(changed, ids)
    np.minimum(at, len(changed) - 1, out=at)
    kept: npt.NDArray[np.int32] = ids[changed[at] != ids]
    return kept


class MappedFile:
    """One generation's arrays, mapped read-only."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.header = json.loads((folder / "header.json").read_text())
        if self.header.get("format") != FORMAT:
            raise ValueError(f"{folder}: not an index file of format {FORMAT}")

        def load(name: str) -> Any:
            # a plain array over the mapped bytes: np.memmap's own indexing costs more
            return np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)

        def strings(name: str) -> StringTable:
            return StringTable(
                load(f"{name}.hash"), Blob(load(f"{name}.keys"), load(f"{name}.keys.off"))
            )

        self.posting_keys = strings("postings")
        self.posting_ids: npt.NDArray[np.int32] = load("postings.ids")
        self.posting_offsets: npt.NDArray[np.int64] = load("postings.off")
        self.posting_cities: npt.NDArray[np.int32] = load("postings.city")
        self.city_numbers = {c: i for i, c in enumerate(self.header["cities"])}
        self.tokens = strings("frequencies")
        self.frequencies: npt.NDArray[np.int64] = load("frequencies")
        self.variants = strings("vocabulary")
        self.vocabulary = Blob(load("vocabulary"), load("vocabulary.off"))
        self.name_positions = {n: load(f"{n}.pos") for n in ("names", "hidden")}
        self.name_rows = {n: Blob(load(n), load(f"{n}.off")) for n in ("names", "hidden")}
        self.candidates = Blob(load("candidates"), load("candidates.off"))
        self._name_positions = self.name_positions["names"].data
        #: the compiled candidate reader over this file's records, None when not built
        self.candidate_reader = (
            None
            if CANDIDATES is None
            else CANDIDATES.CandidateReader(
                self.candidates.data,
                self.candidates.offsets,
                self.name_positions["names"],
                NormalName,
                Candidate,
                NO_INITIALS,
                SEPARATOR,
            )
        )

    # -- posting lists -------------------------------------------------------------------

    def span(self, key: str) -> tuple[int, int]:
        return self.spans([key])[0]

    def spans(self, keys: Sequence[str]) -> list[tuple[int, int]]:
        """Where each key's posting list lies in `posting_ids` ((0, 0): nowhere)."""
        offsets = self.posting_offsets
        return [
            (0, 0) if at < 0 else (int(offsets[at]), int(offsets[at + 1]))
            for at in self.posting_keys.find_many(keys)
        ]

    def head(
        self,
        span: tuple[int, int],
        changed: npt.NDArray[np.int32] | None,
        cap: int | None,
    ) -> list[int]:
        """The first `cap` ids of the list at `span`, less `changed`, as Python ints (with
        businesses changed, read by the compiled twin when built; without, numpy's
        `tolist` is as quick)."""
        ids = self.posting_ids[span[0] : span[1]]
        if changed is not None and POSTINGS is not None and COMPILED:
            found: list[int] = POSTINGS.head(ids, changed, -1 if cap is None else cap)
            return found
        return head_without(ids, changed, cap)[:cap].tolist()  # type: ignore[no-any-return]

    def heads(
        self,
        positions: Sequence[int],
        changed: npt.NDArray[np.int32] | None,
        cap: int,
        city: int | None = None,
    ) -> list[list[int]]:
        """`head` of the lists of these keys' positions (-1: no list) in one call of the
        compiled twin (only when built: see `reads_heads_at_once`); with `city`, their heads
        within that city, as `first_in_city`."""
        assert POSTINGS is not None
        changed = NONE_CHANGED if changed is None else changed
        within = () if city is None else (self.posting_cities, city)
        lists: list[list[int]] = POSTINGS.heads(
            self.posting_ids, self.posting_offsets, positions, changed, cap, *within
        )
        return lists

    @staticmethod
    def reads_heads_at_once() -> bool:
        """Whether `heads` may be asked (its compiled twin built and on)."""
        return POSTINGS is not None and COMPILED

    def first_in_city(
        self,
        number: int,
        span: tuple[int, int],
        changed: npt.NDArray[np.int32] | None,
        cap: int | None,
    ) -> list[int]:
        """The first `cap` ids of the list at `span` in city `number`, less `changed`
        (read by the compiled twin when built: one walk that stops at `cap`)."""
        start, end = span
        if POSTINGS is not None and COMPILED:
            found: list[int] = POSTINGS.in_city(
                self.posting_ids[start:end],
                self.posting_cities[start:end],
                number,
                NONE_CHANGED if changed is None else changed,
                -1 if cap is None else cap,
            )
            return found
        return self.first_in_city_reference(number, span, changed, cap)

    def first_in_city_reference(
        self,
        number: int,
        span: tuple[int, int],
        changed: npt.NDArray[np.int32] | None,
        cap: int | None,
    ) -> list[int]:
        """`first_in_city` with numpy. A common word's list runs to millions at 15 million
        businesses and a search wants its head in one city: the list is read in growing
        blocks, until enough are found, rather than filtered whole."""
        start, end = span
        found: list[npt.NDArray[np.int32]] = []
        count, block = 0, CITY_BLOCK
        while start < end and (cap is None or count < cap):
            stop = min(start + block, end)
            here = self.posting_ids[start:stop][self.posting_cities[start:stop] == number]
            here = head_without(here, changed)
            found.append(here)
            count += len(here)
            start, block = stop, block * 2
        if not found:
            return []
        return np.concatenate(found)[:cap].tolist()  # type: ignore[no-any-return]

    # -- businesses ----------------------------------------------------------------------

    def rows(self, table: str, business_id: int) -> tuple[NameRow, ...] | None:
        """The business's rows of `table` ("names" or "hidden") as the file holds them."""
        positions = self.name_positions[table]
        if not 0 <= business_id < len(positions):
            return None
        at = int(positions[business_id])
        if at < 0:
            return None
        return tuple((business_id, *row) for row in json.loads(self.name_rows[table].raw(at)))

    def candidate(self, business_id: int) -> Candidate | None:
        """The business's prepared candidate record, if the file holds its names (read by
        the compiled twin when built)."""
        reader = self.candidate_reader
        if reader is not None and COMPILED:
            found: Candidate | None = reader(business_id)
            return found
        return self.candidate_reference(business_id)

    def candidate_reference(self, business_id: int) -> Candidate | None:
        """`candidate` in Python."""
        positions = self._name_positions
        if not 0 <= business_id < len(positions):
            return None
        at: int = positions[business_id]
        if at < 0:
            return None
        return _candidate(business_id, self.candidates.raw(at).decode())

    # -- words ---------------------------------------------------------------------------

    def word_frequency(self, token: str) -> int | None:
        """How many names hold the word (None: the file has not got it)."""
        at = self.tokens.find(token)
        return None if at < 0 else int(self.frequencies[at])

    def word_frequencies(self, tokens: Sequence[str]) -> list[int | None]:
        """How many names hold each word (None: the file has not got it), in one binary
        search for them all."""
        frequencies = self.frequencies
        return [None if at < 0 else int(frequencies[at]) for at in self.tokens.find_many(tokens)]

    def variant_row(self, variant: str) -> VariantRows | None:
        """The vocabulary rows under one variant (None: none)."""
        return self._variant_rows_at(self.variants.find(variant))

    def variant_rows(self, variants: Sequence[str]) -> list[VariantRows | None]:
        """The vocabulary rows under each variant (None: none), found in one binary search
        and decoded by the compiled string table when built."""
        ats = self.variants.find_many(variants)
        twin = string_tables.STRING_TABLE
        if twin is not None and string_tables.COMPILED:
            blob = self.vocabulary
            decoded: list[VariantRows | None] = twin.pairs_at(
                ats, blob.data, blob.offsets, PAIRS, PAIR
            )
            return decoded
        return [self._variant_rows_at(at) for at in ats]

    def _variant_rows_at(self, at: int) -> VariantRows | None:
        if at < 0:
            return None
        return decode_pairs(self.vocabulary.raw(at).decode())
