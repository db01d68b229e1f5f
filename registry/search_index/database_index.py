"""The look-ups a name search makes in the index tables (`registry.search_index.name_index` writes
them): word frequencies, the vocabulary, posting lists, and candidate names with their
stored normal forms. `DatabaseIndex` answers `matching.search.SearchBackend` from them, so
every web worker shares one index (the statements that read the businesses found are in
`registry.directory.identities`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import and_, literal, null, select, text, true, union_all
from sqlalchemy.orm import Session

from matching.keys import query_terms, query_variants
from matching.normalise import VERSION, NormalName, canonical_city, normalise
from matching.score import Candidate, TokenStats, canonical_state
from matching.search import MAX_POSTINGS
from registry.db import among, array_text
from registry.models import (
    Business,
    BusinessAlias,
    NameTokenStat,
    NameVocabulary,
    NormalNameRecord,
)
from registry.search_index.name_index import TOTAL


class _Frequencies(Mapping[str, int]):
    """Word frequencies read from the table in batches and kept for one search."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[str, int] = {}

    def load(self, tokens: Iterable[str]) -> None:
        missing = {t for t in tokens if t not in self.known}
        if not missing:
            return
        connection = self.session.connection()
        rows = connection.execute(
            statement("frequencies", connection.dialect.name), {"values": sorted(missing)}
        ).all()
        self.known.update(dict.fromkeys(missing, 0))
        self.known.update({token: freq for token, freq in rows})

    def __getitem__(self, token: str) -> int:
        if token not in self.known:
            self.load([token])
        return self.known[token]

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)


def _among(column: Any, dialect: str) -> Any:
    return among(column, "values", dialect)


def _doc_freq_of(token: Any) -> Any:
    """A word's frequency, looked up by its key (NULL when the word has none): a join
    would have PostgreSQL hash the whole table for a few hundred rows."""
    return select(NameTokenStat.doc_freq).where(NameTokenStat.token == token).scalar_subquery()


@cache
def statement(name: str, dialect: str) -> Any:
    """The look-ups a search makes, built once per database kind (building a statement
    costs about as much as running a small one), each taking its list as `values`."""
    if name == "frequencies":
        return select(NameTokenStat.token, NameTokenStat.doc_freq).where(
            _among(NameTokenStat.token, dialect)
        )
    if name == "vocabulary":
        return select(
            NameVocabulary.variant,
            NameVocabulary.spelling,
            NameVocabulary.token,
            _doc_freq_of(NameVocabulary.token),
        ).where(_among(NameVocabulary.variant, dialect))
    if name == "start":
        # A search's first round trip: the query's word frequencies (rows without a
        # variant) and the vocabulary rows under its words' variants.
        return union_all(
            select(null(), null(), NameTokenStat.token, NameTokenStat.doc_freq).where(
                among(NameTokenStat.token, "tokens", dialect)
            ),
            select(
                NameVocabulary.variant,
                NameVocabulary.spelling,
                NameVocabulary.token,
                _doc_freq_of(NameVocabulary.token),
            ).where(among(NameVocabulary.variant, "variants", dialect)),
        )
    if name == "names":
        return names_statement(dialect)
    raise KeyError(name)


# One row per key with its ids as an array (and, for a search in a city, the ids in that
# city beside them): a few dozen rows cross the connection instead of thousands, and the
# driver decodes each array in one go. A list cut short is its head in id order, as the
# index file's (the matcher counts the head of a long list), read in that order from an
# index.
_POSTINGS = text(
    "SELECT k.key, ARRAY(SELECT business_id FROM business_keys WHERE key = k.key "
    "ORDER BY business_id LIMIT :cap), NULL FROM unnest(CAST(:keys AS text[])) AS k(key)"
)
_POSTINGS_AND_LOCAL = text(
    "SELECT k.key, ARRAY(SELECT business_id FROM business_keys WHERE key = k.key "
    "ORDER BY business_id LIMIT :cap), ARRAY(SELECT business_id FROM business_keys "
    "WHERE key = k.key AND city = :city ORDER BY business_id LIMIT :cap) "
    "FROM unnest(CAST(:keys AS text[])) AS k(key)"
)

_SQLITE_KEY = "SELECT business_id FROM business_keys WHERE key = ? ORDER BY business_id LIMIT ?"
_SQLITE_KEY_IN_CITY = (
    "SELECT business_id FROM business_keys WHERE key = ? AND city = ? ORDER BY business_id LIMIT ?"
)

#: Longest posting list fetched for a query. The matcher's own bound (`MAX_POSTINGS`) is
#: free in memory; over a database connection every row costs, and keys this common add
#: little evidence beside the rarer keys a query nearly always also has.
FETCH_LIMIT = 1000


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


class CappedPostings:
    """How a search's posting lists are read from a store of them (`_capped`): lists
    longer than `posting_limit` arrive cut short, and within the asked city the key hits
    come with the others."""

    #: Lists longer than this arrive cut short: they only tell the matcher that a key is
    #: common (it then uses the key within the asked city alone).
    posting_limit = FETCH_LIMIT
    city: str | None
    _local: dict[str, list[int]] | None

    def _capped(
        self, keys: Collection[str], cap: int, city: str | None = None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Ids under each key, at most `cap` per key, and with `city` also those in it."""
        raise NotImplementedError

    def postings(self, keys: Collection[str]) -> Mapping[str, Sequence[int]]:
        """Id lists, complete up to `posting_limit` ids and cut short beyond (a common
        word's runs to tens of thousands at a million businesses). Only when every key is
        long is the shortest one fetched whole, as the matcher then falls back to it."""
        everywhere, local = self._capped(keys, FETCH_LIMIT + 1, self.city)
        # one more id was read to tell a long list; within the city the lists are cut at
        # FETCH_LIMIT, as `local_postings` reads them on its own
        self._local = {key: ids[:FETCH_LIMIT] for key, ids in local.items()}
        if not everywhere or any(len(ids) <= FETCH_LIMIT for ids in everywhere.values()):
            return everywhere
        sizes, _ = self._capped(everywhere, MAX_POSTINGS + 1)
        shortest = min(sizes, key=lambda k: (len(sizes[k]), k))
        if len(sizes[shortest]) > MAX_POSTINGS:
            sizes, _ = self._capped([shortest], 10 * MAX_POSTINGS)
        self._local = {k: v for k, v in self._local.items() if k == shortest}
        return {shortest: sizes[shortest]}

    def local_postings(self, keys: Collection[str], city: str) -> Mapping[str, Sequence[int]]:
        if city != self.city or self._local is None:
            _, self._local = self._capped(keys, FETCH_LIMIT, city)
            self.city = city
        return {key: self._local[key] for key in keys if key in self._local}


class DatabaseIndex(CappedPostings):
    """The look-ups `matching.search` needs, answered from the index tables."""

    def __init__(
        self,
        session: Session,
        tokens: Iterable[str] = (),
        city: str | None = None,
        variants: Collection[str] | None = None,
    ) -> None:
        """`tokens`: words whose frequencies will be needed (a query's), read at once;
        `city`: the city a search asks for (canonical), whose key hits come along with the
        others in the same round trip; `variants`: those the vocabulary will be asked for
        (a query's, see `query_vocabulary_variants`), read with the frequencies."""
        self.city = city
        self._local: dict[str, list[int]] | None = None
        self._vocabulary: dict[str, list[tuple[str, str, int | None]]] | None = None
        self._read_variants: frozenset[str] = frozenset()
        self.session = session
        # Core execution on the session's connection: these look-ups run several times per
        # keystroke-speed search and need none of the ORM's bookkeeping.
        self.connection = session.connection()
        self.dialect = self.connection.dialect.name
        self.frequencies = _Frequencies(session)
        if variants is None:
            self.frequencies.load([TOTAL, *tokens])
        else:
            self._start([TOTAL, *tokens], variants)
        self.stats = TokenStats(self.frequencies, max(self.frequencies[TOTAL], 1))

    def _start(self, tokens: Iterable[str], variants: Collection[str]) -> None:
        """What `_Frequencies.load(tokens)` reads, and the vocabulary rows under
        `variants` (kept for `vocabulary`), in one round trip."""
        known = self.frequencies.known
        missing = {t for t in tokens if t not in known}
        rows = self.connection.execute(
            statement("start", self.dialect),
            {"tokens": sorted(missing), "variants": sorted(variants)},
        ).all()
        known.update(dict.fromkeys(missing, 0))
        vocabulary: dict[str, list[tuple[str, str, int | None]]] = {}
        for variant, spelling, token, doc_freq in rows:
            if variant is None:
                known[token] = doc_freq
            else:
                vocabulary.setdefault(variant, []).append((spelling, token, doc_freq))
        self._vocabulary = vocabulary
        self._read_variants = frozenset(variants)

    def vocabulary(self, variants: Collection[str]) -> Mapping[str, Iterable[tuple[str, str]]]:
        """The vocabulary rows, and with them the frequencies of their words (read in
        advance when the index was told these variants)."""
        found: dict[str, list[tuple[str, str]]] = {}
        read = self._vocabulary
        rows: Iterable[tuple[str, str, str, int | None]]
        if read is not None and self._read_variants.issuperset(variants):
            rows = [(v, *row) for v in sorted(variants) for row in read.get(v, ())]
        else:
            rows = self.connection.execute(
                statement("vocabulary", self.dialect), {"values": sorted(variants)}
            ).all()
        for variant, spelling, token, doc_freq in rows:
            found.setdefault(variant, []).append((spelling, token))
            self.frequencies.known[token] = doc_freq or 0
        return found

    def _capped(
        self, keys: Collection[str], cap: int, city: str | None = None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Ids under each key, at most `cap` per key, and with `city` also those in it.
        One round trip to PostgreSQL; on SQLite (in-process, no round trips) indexed
        look-ups key by key, which its planner handles far better than one big statement.
        (The registry runs on these two databases only.)"""
        if self.dialect == "sqlite":
            return self._capped_sqlite(keys, cap, city)
        statement = _POSTINGS_AND_LOCAL if city is not None else _POSTINGS
        params: dict[str, Any] = {"keys": array_text(sorted(keys)), "cap": cap}
        if city is not None:
            params["city"] = city
        everywhere: dict[str, list[int]] = {}
        local: dict[str, list[int]] = {}
        for key, ids, here in self.connection.execute(statement, params).all():
            if ids:
                everywhere[key] = ids
            if here:
                local[key] = here
        return everywhere, local

    def _capped_sqlite(
        self, keys: Collection[str], cap: int, city: str | None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        cursor: Any = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        everywhere: dict[str, list[int]] = {}
        local: dict[str, list[int]] = {}
        for key in sorted(keys):
            ids = [row[0] for row in cursor.execute(_SQLITE_KEY, (key, cap))]
            if not ids:
                continue
            everywhere[key] = ids
            if city is not None:
                here = [row[0] for row in cursor.execute(_SQLITE_KEY_IN_CITY, (key, city, cap))]
                if here:
                    local[key] = here
        cursor.close()
        return everywhere, local

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        """Candidate records, each name decoded from its stored normal form (normalising
        is the costly part of scoring; a name without a stored form is normalised here)."""
        if not ids:
            return {}
        rows = self.connection.execute(
            statement("names", self.dialect), {"values": sorted(ids)}
        ).all()
        out = candidates_of(rows)
        self.frequencies.load(t for c in out.values() for t in c.name.folded_tokens)
        return out


#: A row of the "names" statement: business id, alias id (0 for the business's own
#: name), name, city, state (None on alias rows), stored normal form (None if none).
NameRow = tuple[int, int, str, str | None, str | None, str | None]


def candidates_of(rows: Iterable[NameRow]) -> dict[int, Candidate]:
    """Candidate records from rows of the "names" statement (own names before aliases),
    each name decoded from its stored normal form (or normalised, lacking one)."""
    names: dict[int, tuple[NormalName, str | None, str | None]] = {}
    aliases: dict[int, list[NormalName]] = {}
    for business_id, alias_id, name, city, state, encoded in rows:
        normal = NormalName.decode(encoded) if encoded else normalise(name)
        if alias_id == 0:
            names[business_id] = (normal, city, state)
        else:
            aliases.setdefault(business_id, []).append(normal)
    return {
        business_id: Candidate(
            business_id,
            normal,
            canonical_city(city),
            canonical_state(state),
            tuple(aliases.get(business_id, ())),
        )
        for business_id, (normal, city, state) in names.items()
    }


def query_vocabulary_variants(query: NormalName) -> set[str]:
    """The variants `matching.keys.expand_terms` looks up for this query's terms, so that
    `DatabaseIndex` can read them with the query's frequencies (should it ask for others,
    they are read then)."""
    return {
        variant
        for _, spellings in query_terms(query)
        for spelling in spellings
        for variant in query_variants(spelling)
    }


def names_statement(dialect: str, every: bool = False, merged: bool = False) -> Any:
    """Every name of these (unmerged) businesses with its stored normal form if any: own
    names with alias id 0, then aliases in the order they were added. With `every`, of
    all businesses (and no list to give); with `merged`, merged businesses' too, each row
    ending with whether its business is merged."""
    stored = NormalNameRecord.version == VERSION
    gone = Business.merged_into_id.is_not(None)
    own = (
        select(
            Business.id,
            literal(0).label("alias_id"),
            Business.name,
            Business.city,
            Business.state,
            NormalNameRecord.encoded,
            *([gone] if merged else []),
        )
        .outerjoin(NormalNameRecord, and_(stored, NormalNameRecord.name == Business.name))
        .where(true() if merged else Business.merged_into_id.is_(None))
    )
    other = (
        select(
            BusinessAlias.business_id,
            BusinessAlias.id,
            BusinessAlias.name,
            null(),
            null(),
            NormalNameRecord.encoded,
            *([gone] if merged else []),
        )
        .join(Business, Business.id == BusinessAlias.business_id)
        .outerjoin(NormalNameRecord, and_(stored, NormalNameRecord.name == BusinessAlias.name))
        .where(true() if merged else Business.merged_into_id.is_(None))
    )
    if not every:
        own = own.where(_among(Business.id, dialect))
        other = other.where(_among(Business.id, dialect))
    return union_all(own, other).order_by(text("1"), text("2"))
