"""A web worker's copy of the name index in memory, kept current from the tables.

A name search from the tables asks the database four times (the query's words and their
spellings, the posting lists, the candidates' names, their words' frequencies) before it
reads the businesses it shows. With a copy it asks once, "what changed since generation
N?" (`search_index.record_change` lists every change), brings the copy up to date by
reading again what the changed businesses now have, and answers the matcher from memory.
Every read is of current rows, never of a difference, so applying a change twice is
harmless; a copy behind the kept list of changes, or told that everything changed (an
import, a reindex), is loaded afresh while searches use the tables meanwhile. The copy
answers exactly what the tables answer (`tests/search/test_index_copy.py`). How a web
worker loads and uses it: `registry.search_index.process_index`.
"""

from __future__ import annotations

import bisect
import sys
from array import array
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Connection, Integer, column, select, text

from matching.keys import KeptExpansions, indexed_tokens, vocabulary_entries, vocabulary_keys
from matching.normalise import NormalName, normalise
from matching.score import TokenStats
from matching.search import Match
from registry.db import among
from registry.search_index.database_index import (
    FETCH_LIMIT,
    NameRow,
    names_statement,
    statement,
)
from registry.search_index.kept_answers import MISSING, Recent
from registry.search_index.name_index import KEYS, MAX_LENGTH, STATE, STATS, TOTAL, VOCABULARY

#: More changed businesses than this at once (an import), and the copy is loaded afresh
#: in the background instead: reading them again would hold up the search that noticed.
MOST_CHANGES = 1000
#: Businesses read again per statement while catching up.
CHUNK = 2000
#: How many answers a copy keeps (`answer`): each a few ids and scores, kept twice per
#: search (as typed, and as the matcher reads it: `registry.directory.search`), so some
#: 10,000 searches, 1,250 bytes each with ten results (measured), about 12 MB in all.
ANSWERS_KEPT = 20_000
#: How many query words' expansions a copy keeps (`kept_expansions`): each up to six
#: words and their similarities, about 640 bytes (measured over the dev set's 3,302
#: words), so some 6 MB at most.
EXPANSIONS_KEPT = 10_000


@cache
def table_statement(name: str, dialect: str) -> Any:
    """The statements a copy (and the index file's writer) reads the tables with."""
    if name == "keys of":
        return select(KEYS.c.business_id, KEYS.c.key, KEYS.c.city).where(
            among(KEYS.c.business_id, "values", dialect)
        )
    if name == "every key":
        return select(KEYS.c.business_id, KEYS.c.key, KEYS.c.city)
    if name == "every frequency":
        return select(STATS.c.token, STATS.c.doc_freq)
    if name == "every variant":
        return select(VOCABULARY.c.variant, VOCABULARY.c.spelling, VOCABULARY.c.token)
    if name == "vocabulary":
        return select(VOCABULARY.c.variant, VOCABULARY.c.spelling, VOCABULARY.c.token).where(
            among(VOCABULARY.c.variant, "values", dialect)
        )
    if name == "names":  # each row ending with whether the business is merged
        return names_statement(dialect, merged=True)
    if name == "every name":
        return names_statement(dialect, every=True, merged=True)
    raise KeyError(name)


#: Large reads arrive in batches (on PostgreSQL through a server-side cursor).
STREAM = {"stream_results": True, "yield_per": 20_000}

# One statement, so the generation and the changes listed up to it are read together,
# with the stamps of the generation now and of the copy's own generation.
_CHANGES_SINCE = text(
    "SELECT s.generation, s.kept_from, s.stamp, "
    "(SELECT MAX(o.stamp) FROM search_index_changes o WHERE o.generation = :seen) "
    "AS seen_stamp, c.business_id FROM search_index_state s "
    "LEFT JOIN search_index_changes c ON c.generation > :seen AND c.generation <= s.generation "
    "WHERE s.id = 1"
).columns(
    column("generation", Integer),
    column("kept_from", Integer),
    column("stamp", BigInteger),
    column("seen_stamp", BigInteger),
    column("business_id", Integer),
)


def changes_since() -> Any:
    """The statement `catch_up` reads what changed with (taking the copy's generation as
    `seen`), as a subquery another statement may read it in: a request that must read
    something else first (its API key) reads both at once and hands the rows to
    `catch_up`."""
    return _CHANGES_SINCE.subquery("index_changes")


#: What changed since a generation (`changes_since`), read with something else: the
#: generation it was read for and its rows (generation, kept_from, stamp, seen stamp,
#: business id).
ReadChanges = tuple[int, Sequence[Sequence[Any]]]


class Behind(Exception):
    """The copy cannot be brought up to date change by change: load it afresh."""


class IndexCopy:
    """The index tables as of `generation`, in memory, kept compact: a million businesses
    hold some ten million key rows."""

    def __init__(self, generation: int, stamp: int = 0) -> None:
        self.generation = generation
        #: the stamp of that generation (`SearchIndexState.stamp`)
        self.stamp = stamp
        #: key -> business ids, ascending (as the key table's index lists them)
        self.postings: dict[str, array[int]] = {}
        #: business -> its keys, to take it out again
        self.keys_of: dict[int, tuple[str, ...]] = {}
        #: business -> the city its key rows carry
        self.city_of: dict[int, str | None] = {}
        #: business -> key -> city, for the odd business whose key rows disagree on it
        self.mixed: dict[int, dict[str, str | None]] = {}
        #: key -> city -> business ids, ascending, for keys listing more than FETCH_LIMIT
        #: (shorter lists are filtered by city when asked)
        self.local: dict[str, dict[str, array[int]]] = {}
        self.vocabulary: dict[str, tuple[tuple[str, str], ...]] = {}
        self.doc_freq: dict[str, int] = {}
        #: business -> its rows of the "names" statement (unmerged businesses only)
        self.names: dict[int, tuple[NameRow, ...]] = {}
        #: the same of merged businesses: not candidates, but their names' words counted
        #: in the frequencies may change still (an alias added to one)
        self.hidden: dict[int, tuple[NameRow, ...]] = {}
        #: the words' weights worked out from `doc_freq` (`token_stats`)
        self._weights: TokenStats | None = None
        #: recent name searches' answers at this generation (`answer`)
        self._answers = Recent(ANSWERS_KEPT)
        #: query words' expansions at this generation (`kept_expansions`)
        self._expansions = Recent(EXPANSIONS_KEPT)

    @classmethod
    def load(cls, connection: Connection) -> IndexCopy:
        """Read the whole index. The generation is read first: rows changed while the rest
        is read are read again by the next `catch_up`, which leaves them as they are."""
        state = connection.execute(select(STATE.c.generation, STATE.c.stamp)).first()
        copy = cls(int(state[0]), int(state[1])) if state else cls(0)
        dialect = connection.dialect.name

        def stream(name: str) -> Any:
            return connection.execute(table_statement(name, dialect), execution_options=STREAM)

        postings: dict[str, list[int]] = {}
        keys_of: dict[int, list[tuple[str, str | None]]] = {}
        for business_id, key, city in stream("every key"):
            key = sys.intern(key)  # one string per key, however many businesses hold it
            postings.setdefault(key, []).append(business_id)
            keys_of.setdefault(business_id, []).append((key, city))
        copy.postings = {key: array("i", sorted(ids)) for key, ids in postings.items()}
        del postings
        for business_id, rows in keys_of.items():
            copy._set_keys(business_id, rows)
        del keys_of
        for key, ids in copy.postings.items():
            if len(ids) > FETCH_LIMIT:
                copy._localise(key)
        copy.doc_freq = dict(connection.execute(table_statement("every frequency", dialect)).all())
        vocabulary: dict[str, list[tuple[str, str]]] = {}
        pairs: dict[tuple[str, str], tuple[str, str]] = {}
        for variant, spelling, token in stream("every variant"):
            pair = (spelling, token)
            vocabulary.setdefault(variant, []).append(pairs.setdefault(pair, pair))
        copy.vocabulary = {variant: tuple(rows) for variant, rows in vocabulary.items()}
        del vocabulary, pairs
        copy.names, copy.hidden = _by_business(stream("every name"))
        return copy

    def token_stats(self) -> TokenStats:
        """The words' weights from this copy's frequencies: one `TokenStats` kept from
        search to search until a change alters the frequencies, so that the weights of a
        busy worker's common words are worked out once, not for every search (a search
        weighs some 400 words, its candidates' and its query's)."""
        weights = self._weights
        if weights is None:
            doc_freq = self.doc_freq
            weights = self._weights = TokenStats(doc_freq, max(doc_freq.get(TOTAL, 0), 1))
        return weights

    def answer(self, asked: Hashable, search: Callable[[], list[Match]]) -> list[Match]:
        """What `search()` finds for the name search `asked` (everything its answer depends
        on besides the index: the query as typed, the place, the limit), kept from an
        identical search at this copy's generation when there was one.

        The matcher's answer is a function of the query and the index alone, and the index
        changes only by a new generation, whose changes `catch_up` lets every kept answer
        go before it applies (a copy loaded afresh starts with none): a trader looking the
        same buyer up again, or another asking for a busy one, is answered without the
        matcher. What a search shows of each business (its name, counts, GSTINs) is still
        read afresh for every search (`registry.directory.search`).

        Kept as (id, score) pairs, which the garbage collector stops tracking (tuples of
        numbers alone), rather than as `Match` objects, which it would walk at every full
        collection."""
        found = self._answers.get(asked)
        if found is MISSING:
            found = tuple([(match.id, match.score) for match in search()])
            self._answers.put(asked, found)
        return [Match(business_id, score) for business_id, score in found]

    def kept_expansions(self) -> KeptExpansions:
        """Where a search keeps its query words' expansions (`matching.keys.expand_terms`)
        for the next searches: they depend on this copy's vocabulary and frequencies, so
        `catch_up` lets them go with the kept answers. Up to `EXPANSIONS_KEPT` words,
        the recently asked ones, turned over as the kept answers are (`Recent`)."""
        return self._expansions

    def vocabulary_of(self, variants: Collection[str]) -> dict[str, tuple[tuple[str, str], ...]]:
        """The vocabulary rows under each of these variants that has any."""
        known = self.vocabulary
        return {v: known[v] for v in variants if v in known}

    def postings_of(self, keys: Collection[str]) -> dict[str, Sequence[int]]:
        """The ids under each of these keys that has any, ascending."""
        postings = self.postings
        return {k: postings[k] for k in keys if k in postings}

    def _set_keys(self, business_id: int, rows: list[tuple[str, str | None]]) -> None:
        self.keys_of[business_id] = tuple(key for key, _ in rows)
        cities = {city for _, city in rows}
        self.city_of[business_id] = rows[0][1]
        if len(cities) > 1:
            self.mixed[business_id] = dict(rows)

    def _city(self, business_id: int, key: str) -> str | None:
        mixed = self.mixed.get(business_id)
        return mixed[key] if mixed is not None else self.city_of[business_id]

    def _localise(self, key: str) -> None:
        """List a long key's ids city by city."""
        by_city: dict[str, array[int]] = {}
        for business_id in self.postings[key]:
            city = self._city(business_id, key)
            if city is not None:
                by_city.setdefault(city, array("i")).append(business_id)
        self.local[key] = by_city

    def in_city(self, key: str, city: str) -> array[int] | list[int]:
        """The ids under `key` whose row carries `city`, ascending."""
        local = self.local.get(key)
        if local is not None:
            return local.get(city, _EMPTY)
        ids = self.postings.get(key, _EMPTY)
        if not self.mixed:
            city_of = self.city_of
            return [b for b in ids if city_of[b] == city]
        return [b for b in ids if self._city(b, key) == city]

    # -- keeping up ----------------------------------------------------------------------

    def catch_up(self, connection: Connection, read: ReadChanges | None = None) -> None:
        """Apply every change listed since this copy's generation; `Behind` when that
        cannot be done change by change, or when the database no longer holds the
        generation this copy saw (restored from a backup taken before it, then written to
        again: the same number, another stamp). `read`: the changes, read already on this
        connection with something else (used when read for this copy's generation)."""
        if read is not None and read[0] == self.generation:
            rows: Sequence[Sequence[Any]] = read[1]
        else:
            rows = connection.execute(_CHANGES_SINCE, {"seen": self.generation}).all()
        if not rows:
            raise Behind("the index has no state row")
        generation, kept_from, stamp, seen_stamp = (int(v or 0) for v in rows[0][:4])
        if generation == self.generation:
            if stamp != self.stamp:
                raise Behind(f"generation {generation} is not the one this copy saw")
            return
        if generation < self.generation or kept_from > self.generation + 1:
            raise Behind(f"copy at {self.generation}, index at {generation} (kept {kept_from})")
        if seen_stamp and seen_stamp != self.stamp:  # (a generation that listed no rows: 0)
            raise Behind(f"generation {self.generation} is not the one this copy saw")
        changed = {row[4] for row in rows if row[4] is not None}
        if 0 in changed or len(changed) > MOST_CHANGES:
            raise Behind("everything changed")
        ordered = sorted(changed)
        # kept answers and expansions go before the copy changes: should reading the
        # changes fail half-way, the copy still says its old generation, and the next
        # search that catches it up reads them again
        self._answers.clear()
        self._expansions.clear()
        for start in range(0, len(ordered), CHUNK):
            self._refresh(connection, ordered[start : start + CHUNK])
        self.generation, self.stamp = generation, stamp

    def _refresh(self, connection: Connection, ids: list[int]) -> None:
        """Read again all the index holds for these businesses: their key rows and names,
        the frequencies of their old and new names' words, and the vocabulary rows under
        their new names' variants."""
        dialect = connection.dialect.name
        params = {"values": ids}
        key_rows = connection.execute(table_statement("keys of", dialect), params).all()
        name_rows = connection.execute(table_statement("names", dialect), params).all()
        tokens = {TOTAL}
        for business_id in ids:
            for row in self.names.get(business_id, ()) or self.hidden.get(business_id, ()):
                tokens.update(indexed_tokens(_normal(row)))
        new_names, new_hidden = _by_business(name_rows)
        spellings: set[str] = set()
        for rows in (*new_names.values(), *new_hidden.values()):
            for row in rows:
                normal = _normal(row)
                tokens.update(indexed_tokens(normal))
                spellings.update(spelling for spelling, _ in vocabulary_entries(normal))
        variants = sorted(
            {v for s in spellings if len(s) <= MAX_LENGTH for v in vocabulary_keys(s)}
        )
        wanted = sorted(t for t in tokens if len(t) <= MAX_LENGTH)
        frequencies = dict(
            connection.execute(statement("frequencies", dialect), {"values": wanted}).all()
        )
        vocabulary: dict[str, list[tuple[str, str]]] = {}
        for start in range(0, len(variants), CHUNK):
            chunk = {"values": variants[start : start + CHUNK]}
            for variant, spelling, token in connection.execute(
                table_statement("vocabulary", dialect), chunk
            ):
                vocabulary.setdefault(variant, []).append((spelling, token))

        for business_id in ids:
            self._take_out(business_id)
        added: dict[int, list[tuple[str, str | None]]] = {}
        for business_id, key, city in key_rows:
            added.setdefault(business_id, []).append((sys.intern(key), city))
        for business_id, keys in added.items():
            self._put_in(business_id, keys)
        self.names.update(new_names)
        self.hidden.update(new_hidden)
        for token in wanted:
            if token in frequencies:
                self.doc_freq[token] = frequencies[token]
            else:
                self.doc_freq.pop(token, None)
        self._weights = None
        for variant in variants:
            if variant in vocabulary:
                self.vocabulary[variant] = tuple(vocabulary[variant])
            else:
                self.vocabulary.pop(variant, None)

    def _take_out(self, business_id: int) -> None:
        for key in self.keys_of.get(business_id, ()):
            unpost(self.postings, key, business_id)
            local = self.local.get(key)
            city = self._city(business_id, key)
            if local is not None and city is not None and city in local:
                _discard(local[city], business_id)
                if not local[city]:
                    del local[city]
        self._forget(business_id)

    def _forget(self, business_id: int) -> None:
        """Drop what the copy keeps of a business besides its posting lists."""
        for table in (self.keys_of, self.city_of, self.mixed, self.names, self.hidden):
            table.pop(business_id, None)

    def _put_in(self, business_id: int, rows: list[tuple[str, str | None]]) -> None:
        self._set_keys(business_id, rows)
        for key, city in rows:
            ids = post(self.postings, key, business_id)
            local = self.local.get(key)
            if local is not None:
                if city is not None:
                    bisect.insort(local.setdefault(city, array("i")), business_id)
            elif len(ids) > FETCH_LIMIT:
                self._localise(key)


_EMPTY: list[int] = []


def _by_business(
    rows: Iterable[Any],
) -> tuple[dict[int, tuple[NameRow, ...]], dict[int, tuple[NameRow, ...]]]:
    """Rows of the "names" statement by business: of unmerged businesses, and of merged
    ones (the merged flag taken off)."""
    shown: dict[int, list[NameRow]] = {}
    merged: dict[int, list[NameRow]] = {}
    for *row, gone in rows:
        (merged if gone else shown).setdefault(row[0], []).append(tuple(row))  # type: ignore[arg-type]
    return (
        {business_id: tuple(rows) for business_id, rows in shown.items()},
        {business_id: tuple(rows) for business_id, rows in merged.items()},
    )


def _normal(row: NameRow) -> NormalName:
    encoded, name = row[5], row[2]
    return NormalName.decode(encoded) if encoded else normalise(name)


def post(postings: dict[str, array[int]], key: str, business_id: int) -> array[int]:
    """Put `business_id` in `key`'s list (kept ascending), made if it is new; the list."""
    ids = postings.get(key)
    if ids is None:
        ids = postings[key] = array("i")
    bisect.insort(ids, business_id)
    return ids


def unpost(postings: dict[str, array[int]], key: str, business_id: int) -> None:
    """Take `business_id` out of `key`'s list, and the list out once it is empty."""
    ids = postings.get(key)
    if ids is not None:
        _discard(ids, business_id)
        if not ids:
            del postings[key]


def _discard(ids: array[int], business_id: int) -> None:
    at = bisect.bisect_left(ids, business_id)
    if at < len(ids) and ids[at] == business_id:
        del ids[at]
