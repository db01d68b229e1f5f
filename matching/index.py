"""An in-memory index over the same keys the registry stores in its tables.

Used by the benchmark and the tests, and as the reference the database-backed index must
agree with: it implements `SearchBackend` with plain dicts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from matching.keys import indexed_tokens, name_keys, vocabulary_entries, vocabulary_keys
from matching.normalise import normalise
from matching.score import Candidate, TokenStats
from matching.search import MAX_SCORED, Match, search_name


class InMemoryIndex:
    """Businesses (and aliases) indexed by blocking keys, searchable by name."""

    def __init__(self) -> None:
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._local: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._vocabulary: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._doc_freq: dict[str, int] = defaultdict(int)
        self._records: dict[int, Candidate] = {}
        self._known_entries: set[tuple[str, str]] = set()
        self._names = 0
        self.stats = TokenStats(self._doc_freq, 0)

    def __len__(self) -> int:
        return len(self._records)

    def add(
        self,
        id: int,
        name: str,
        city: str | None = None,
        state: str | None = None,
        aliases: Iterable[str] = (),
    ) -> None:
        """Index a business under its name and any aliases (the first name is shown).

        Adding an id again adds the new names as further aliases of that business.
        """
        aliases = tuple(aliases)
        known = self._records.get(id)
        if known is None:
            record = Candidate.build(id, name, city, state, aliases)
            texts: tuple[str, ...] = (name, *aliases)
        else:
            extra = tuple(normalise(t) for t in (name, *aliases))
            record = Candidate(id, known.name, known.city, known.state, known.aliases + extra)
            texts = (name, *aliases)
        self._records[id] = record
        keys: set[str] = set()
        for text in texts:
            normal = normalise(text)
            self._names += 1
            for token in indexed_tokens(normal):
                self._doc_freq[token] += 1
            keys |= name_keys(normal)
            for entry in vocabulary_entries(normal) - self._known_entries:
                self._known_entries.add(entry)
                for variant in vocabulary_keys(entry[0]):
                    self._vocabulary[variant].add(entry)
        for key in keys:
            postings = self._postings[key]
            if known is None or id not in postings:
                postings.append(id)
                if record.city:
                    self._local[(record.city, key)].append(id)
        self.stats = TokenStats(self.stats.doc_freq, self._names)

    # SearchBackend -----------------------------------------------------------------
    def vocabulary(self, variants: Collection[str]) -> Mapping[str, Iterable[tuple[str, str]]]:
        vocab = self._vocabulary
        return {v: vocab[v] for v in variants if v in vocab}

    def postings(self, keys: Collection[str]) -> Mapping[str, Sequence[int]]:
        table = self._postings
        return {k: table[k] for k in keys if k in table}

    def local_postings(self, keys: Collection[str], city: str) -> Mapping[str, Sequence[int]]:
        table = self._local
        return {k: table[(city, k)] for k in keys if (city, k) in table}

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        records = self._records
        return {i: records[i] for i in ids if i in records}

    # ------------------------------------------------------------------------------
    def record(self, id: int) -> Candidate:
        return self._records[id]

    def search(
        self,
        q: str,
        city: str | None = None,
        state: str | None = None,
        limit: int = 5,
        max_scored: int = MAX_SCORED,
    ) -> list[tuple[int, float]]:
        """Best matches for a name query as (business id, score 0..100), best first."""
        found: list[Match] = search_name(q, self, city, state, limit, max_scored)
        return [(m.id, round(m.score, 2)) for m in found]

    def key_count(self) -> int:
        """Rows the name-key table would hold."""
        return sum(len(v) for v in self._postings.values())

    def vocabulary_count(self) -> int:
        """Rows the vocabulary table would hold."""
        return sum(len(v) for v in self._vocabulary.values())
