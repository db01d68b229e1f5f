"""The index as a process searches it: one generation of the file, plus an overlay.

Every web worker and the CLI map the newest generation that `registry.search_index.index_file`
published (`MappedIndexCopy.open`, reading it through `registry.search_index.mapped_file`):
the page cache holds it once per machine, whatever the number of processes. What a process
adds of its own is small: an overlay of the businesses changed since the file's generation,
read with the change feed exactly as the in-memory copy (`registry.search_index.memory_copy`)
does, so results stay the tables' (`tests/search/test_index_file.py`); a few thousand
recently read word frequencies, vocabulary rows and candidate records; and the weights of
the words its searches met (`IndexCopy.token_stats`). A posting list is the file's, less
the businesses changed since, merged with the overlay's own ids for its key.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.keys import near_rows
from matching.score import Candidate, TokenStats
from registry.search_index import mapped_file
from registry.search_index.database_index import NameRow, candidates_of
from registry.search_index.kept_answers import MISSING, Overlaid, Recent
from registry.search_index.mapped_file import MappedFile, VariantRows, current_folder
from registry.search_index.memory_copy import IndexCopy, post, unpost

#: Word frequencies and vocabulary rows read from the file that a process keeps at hand
#: (the common words of queries): a few MB.
CACHED = 20_000
#: Query spellings whose nearby vocabulary rows a process keeps at hand: about 2 KB each.
#: The newer half (see `Recent`) holds the 3,800 distinct words of the dev set's 2,000
#: queries; at 4,000 it held 2,000 of them, and those queries missed it nearly every time.
NEAR_CACHED = 12_000
#: Candidate records read from the file that a process keeps at hand (see `Recent`),
#: about 800 bytes each: 16 MB. Searches for different words share many candidates (the
#: namesakes of common words): of a first-time search's candidates on the dev set at
#: 100,000 businesses, 86% had been read before by the same process.
CANDIDATES_KEPT = 20_000
#: Businesses whose candidates were read from the file once recently, not kept (see
#: `MappedIndexCopy.candidates`): a few MB of ids. A candidate is kept when it is read
#: again while its id is still here. At a million businesses 6% of a first-time search's
#: candidates had been read before by the same process, and keeping each of the others
#: cost more than reading it (memory let go cold, long after it was made: about a
#: microsecond a candidate), so a candidate read once is let go with its search.
SEEN_ONCE = 60_000


class _Postings:
    """Key -> business ids, ascending: the file's (less the changed businesses') merged
    with the overlay's."""

    def __init__(self, owner: MappedIndexCopy) -> None:
        self.owner = owner

    def many(self, keys: Sequence[str]) -> dict[str, Sequence[int]]:
        """The non-empty lists of these keys."""
        spans = self.owner.file.spans(keys)
        found = {}
        for key, span in zip(keys, spans, strict=True):
            ids = self._ids(key, span)
            if ids:
                found[key] = ids
        return found

    def _ids(
        self, key: str, span: tuple[int, int] | None = None, cap: int | None = None
    ) -> Sequence[int]:
        """The key's ids, ascending (the first `cap` of them: a common word's list runs
        to tens of thousands at a million businesses, and only the head is wanted)."""
        owner = self.owner
        file = owner.file
        return owner.with_own(
            key, file.head(file.span(key) if span is None else span, owner.changed_ids, cap), cap
        )

    def get(self, key: str, default: Any = None) -> Any:
        ids = self._ids(key)
        return ids if ids else default

    def __contains__(self, key: str) -> bool:
        return bool(self._ids(key))

    def __getitem__(self, key: str) -> Sequence[int]:
        ids = self._ids(key)
        if not ids:
            raise KeyError(key)
        return ids


class MappedIndexCopy(IndexCopy):
    """An `IndexCopy` whose content is the mapped file plus an overlay of the businesses
    changed since its generation; catches up as the in-memory copy does."""

    file: MappedFile
    #: businesses changed since the file's generation (their rows in it no longer count)
    changed: set[int]
    changed_ids: npt.NDArray[np.int32] | None
    #: key -> ids of changed businesses, ascending
    own_postings: dict[str, array[int]]
    #: query spelling -> vocabulary rows near it (`vocabulary_near`), and the vocabulary
    #: overlay's `changes` they were read at
    _near: Recent
    _near_changes: int
    #: business id -> its candidate record as the file holds it (None: not in the file)
    _candidates: Recent
    #: ids of businesses whose candidates were read once recently, and not kept
    _seen_once: Recent
    #: the `TokenStats` that weighed the words of the candidates kept (`candidates`)
    _weighed_by: TokenStats | None

    @classmethod
    def open(cls, directory: Path) -> MappedIndexCopy | None:
        """The newest generation under `directory`, or None when there is none yet."""
        folder = current_folder(directory)
        if folder is None:
            return None
        file = MappedFile(folder)
        copy = cls(int(file.header["generation"]), int(file.header["stamp"]))
        copy.file = file
        copy.changed, copy.changed_ids, copy.own_postings = set(), None, {}
        copy.postings = _Postings(copy)  # type: ignore[assignment]
        size = int(file.header["businesses"])
        copy.names = Overlaid(lambda b: copy._rows("names", b), size)  # type: ignore[assignment]
        copy.hidden = Overlaid(lambda b: copy._rows("hidden", b), 0)  # type: ignore[assignment]
        copy.doc_freq = Overlaid(file.word_frequency, len(file.tokens), CACHED)  # type: ignore[assignment]
        copy.vocabulary = Overlaid(file.variant_row, len(file.variants), CACHED)  # type: ignore[assignment]
        copy._near, copy._near_changes = Recent(NEAR_CACHED), 0
        copy._candidates, copy._weighed_by = Recent(CANDIDATES_KEPT), None
        copy._seen_once = Recent(SEEN_ONCE)
        return copy

    def _rows(self, table: str, business_id: int) -> tuple[NameRow, ...] | None:
        if business_id in self.changed:
            return None
        return self.file.rows(table, business_id)

    def vocabulary_of(self, variants: Collection[str]) -> dict[str, VariantRows]:
        found = self._variants_read(variants, keep=True)
        self.frequencies_of({token for rows in found.values() for _, token in rows})
        return found

    def _variants_read(
        self, variants: Collection[str], keep: bool = False
    ) -> dict[str, VariantRows]:
        """The vocabulary rows under these variants: the overlay's, else (with `keep`) the
        cache's, else the file's, then kept in the cache (with `keep`). `vocabulary_near`
        reads the variants of a spelling it has not kept without `keep`: they are some 100
        edits of one word, seldom another spelling's, and keeping each of them as well
        found 0.7% of them again on the dev set's queries while costing a look-up and a
        store for each of the rest."""
        vocabulary: Overlaid = self.vocabulary  # type: ignore[assignment]
        known, rest = vocabulary.at_hand(variants, cached=keep)
        found = {v: rows for v, rows in known.items() if rows is not None}
        cache = vocabulary.cache
        for v, rows in zip(rest, self.file.variant_rows(rest), strict=True):
            if keep:
                cache.put(v, rows)
            if rows is not None:
                found[v] = rows
        return found

    def vocabulary_near(
        self, spellings: Collection[str], stats: TokenStats | None = None
    ) -> dict[str, Collection[tuple[str, str]]]:
        """`matching.keys.near_rows` of these spellings, kept per spelling until the
        vocabulary's overlay next changes (a query's ~200 variants are read once for the
        words that recur, not per search); kept as tuples, a seventh of a set's size."""
        vocabulary: Overlaid = self.vocabulary  # type: ignore[assignment]
        if self._near_changes != vocabulary.changes:
            self._near.clear()
            self._near_changes = vocabulary.changes
        found: dict[str, Collection[tuple[str, str]]] = {}
        rest = []
        for spelling in spellings:
            rows = self._near.get(spelling)
            if rows is MISSING:
                rest.append(spelling)
            else:
                found[spelling] = rows
        if rest:
            for spelling, near in near_rows(rest, self._variants_read).items():
                found[spelling] = kept = tuple(near)
                self._near.put(spelling, kept)
        if stats is not None:  # the weights the search asks for, those not at hand at once
            stats.weigh_new(
                {token for rows in found.values() for _, token in rows}, self.frequencies_of
            )
        return found

    def candidates(
        self, ids: Collection[int], stats: TokenStats | None = None
    ) -> dict[int, Candidate]:
        """`candidates_of` the names of these businesses: as prepared in the file (those
        read more than once recently kept at hand: the file does not change), or from the
        overlay for those changed since it was written. With `stats`, the weights of their words
        that it does not hold yet are worked out at once (`TokenStats.weigh_new`).

        Most candidates were kept from an earlier search, whose `stats` weighed their words
        then: with the same `stats` again, only the words of those read afresh are asked
        about (gathering every candidate's words took about 3% of a first-time search). Should the
        weights have been let go since (`TokenStats` keeps a bounded number), a kept
        candidate's words are weighed as the scorer asks for them, as without `stats`."""
        file = self.file
        if file.candidate_reader is not None and mapped_file.COMPILED:
            return self._kept_or_read(file.candidate_reader, ids, stats)
        # the reference of the compiled reader's loop (`CandidateReader.kept_or_read`)
        found: dict[int, Candidate] = {}
        fresh: list[Candidate] = []
        changed, kept, seen = self.changed, self._candidates, self._seen_once
        for business_id in sorted(ids):
            if business_id in changed:
                made = self._overlaid(business_id) or {}
                found.update(made)
                fresh.extend(made.values())
                continue
            candidate = kept.get(business_id)
            if candidate is MISSING:
                candidate = file.candidate(business_id)
                if candidate is not None:
                    fresh.append(candidate)
                if business_id in seen:  # read before: kept from now on
                    kept.put(business_id, candidate)
                else:
                    seen.put(business_id, True)
            if candidate is not None:
                found[business_id] = candidate
        if stats is not None:
            told = fresh if stats is self._weighed_by else found.values()
            self._weighed_by = stats
            stats.weigh_new(
                {t for c in told for n in (c.name, *c.aliases) for t in n.folded_tokens},
                self.frequencies_of,
            )
        return found

    def _kept_or_read(
        self, reader: Any, ids: Collection[int], stats: TokenStats | None
    ) -> dict[int, Candidate]:
        """`candidates` by the compiled reader's loop (`CandidateReader.kept_or_read`),
        which also gathers the words of the names it reads afresh as it reads them."""
        same = stats is not None and stats is self._weighed_by
        words: set[str] | None = set() if same else None
        found: dict[int, Candidate] = reader.kept_or_read(
            ids, self._candidates, self._seen_once, self.changed, self._overlaid, words
        )
        if stats is not None:
            if words is None:
                words = {
                    t for c in found.values() for n in (c.name, *c.aliases) for t in n.folded_tokens
                }
            self._weighed_by = stats
            stats.weigh_new(words, self.frequencies_of)
        return found

    def _overlaid(self, business_id: int) -> dict[int, Candidate] | None:
        """The candidates the overlay makes of a business changed since the file was
        written (none when it was taken out)."""
        rows = self.names.overlay.get(business_id)  # type: ignore[attr-defined]
        return candidates_of(rows) if rows else None

    def frequencies_of(self, tokens: Collection[str]) -> dict[str, int]:
        """The frequencies of these words (0 for a word no name holds), as `doc_freq`
        answers them; those not at hand are read in one binary search and kept."""
        doc_freq: Overlaid = self.doc_freq  # type: ignore[assignment]
        known, rest = doc_freq.at_hand(tokens)
        found: dict[str, int] = {token: value or 0 for token, value in known.items()}
        if rest:
            cache = doc_freq.cache
            for token, value in zip(rest, self.file.word_frequencies(rest), strict=True):
                cache.put(token, value)
                found[token] = value or 0
        return found

    def postings_of(self, keys: Collection[str]) -> dict[str, Sequence[int]]:
        return self.postings.many(list(keys))  # type: ignore[attr-defined,no-any-return]

    def in_city(
        self,
        key: str,
        city: str,
        span: tuple[int, int] | None = None,
        cap: int | None = None,
    ) -> array[int] | list[int]:
        file = self.file
        ids: list[int] = []
        number = file.city_numbers.get(city)
        if number is not None:
            ids = file.first_in_city(
                number, file.span(key) if span is None else span, self.changed_ids, cap
            )
        return self.with_own_in_city(key, city, ids, cap)

    def with_own(self, key: str, ids: list[int], cap: int | None) -> list[int]:
        """A key's first `cap` ids from the file (less the changed businesses) with the
        overlay's own ids for it merged in, ascending."""
        extra = self.own_postings.get(key)
        return sorted([*ids, *extra])[:cap] if extra else ids

    def with_own_in_city(self, key: str, city: str, ids: list[int], cap: int | None) -> list[int]:
        """`with_own` within `city`: the overlay's own ids for the key that are in it."""
        own = [b for b in self.own_postings.get(key, ()) if self._city(b, key) == city]
        return sorted(ids + own)[:cap] if own else ids

    def capped(
        self, keys: Collection[str], cap: int, city: str | None = None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """`CopiedIndex._capped` from the file: each key found once (one binary search
        for them all), and only the first `cap` ids of a list made Python ints (by the
        compiled twin when built: every list in one call, `_capped_compiled`)."""
        keys = list(keys)
        if self.file.reads_heads_at_once():
            return self._capped_compiled(keys, cap, city)
        everywhere: dict[str, list[int]] = {}
        here: dict[str, list[int]] = {}
        postings: _Postings = self.postings  # type: ignore[assignment]
        for key, span in zip(keys, self.file.spans(keys), strict=True):
            ids = postings._ids(key, span, cap)
            if not ids:
                continue
            everywhere[key] = ids  # type: ignore[assignment]
            if city is not None:
                local = self.in_city(key, city, span, cap)
                if local:
                    here[key] = local  # type: ignore[assignment]
        return everywhere, here

    def _capped_compiled(
        self, keys: list[str], cap: int, city: str | None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """`capped` with the file's lists read at once (`MappedFile.heads`: everywhere, then
        in the city), then merged with the overlay's (`with_own`, `with_own_in_city`)."""
        file, changed = self.file, self.changed_ids
        positions = file.posting_keys.find_many(keys)
        lists = file.heads(positions, changed, cap)
        everywhere: dict[str, list[int]] = {}
        own = self.own_postings  # most often empty: no merging, no call per list
        for key, ids in zip(keys, lists, strict=True):
            if own:
                ids = self.with_own(key, ids, cap)
            if ids:
                everywhere[key] = ids
        here: dict[str, list[int]] = {}
        if city is None or not everywhere:
            return everywhere, here
        number = file.city_numbers.get(city)
        found = [key for key in keys if key in everywhere]
        if number is None:
            local: list[list[int]] = [[] for _ in found]
        else:
            local = file.heads(
                [at for key, at in zip(keys, positions, strict=True) if key in everywhere],
                changed,
                cap,
                number,
            )
        for key, ids in zip(found, local, strict=True):
            if own:
                ids = self.with_own_in_city(key, city, ids, cap)
            if ids:
                here[key] = ids
        return everywhere, here

    def _take_out(self, business_id: int) -> None:
        if business_id not in self.changed:
            self.changed.add(business_id)
            self.changed_ids = np.array(sorted(self.changed), dtype=np.int32)
        for key in self.keys_of.get(business_id, ()):
            unpost(self.own_postings, key, business_id)
        self._forget(business_id)

    def _put_in(self, business_id: int, rows: list[tuple[str, str | None]]) -> None:
        self._set_keys(business_id, rows)
        for key, _city in rows:
            post(self.own_postings, key, business_id)
