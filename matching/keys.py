"""Blocking keys: which businesses a query is compared with at all.

Two tables hold the index, so every web worker shares it:

* **name keys** `(key, business_id, city)`, from `name_keys(name)`, per name or alias:
  - `t:<token>`: one distinctive folded token ("t:marvar"). Common trade words and
    auspicious prefixes (Traders, Enterprises, Shree...) are never stand-alone keys: each
    would list a large share of the directory.
  - `p:<a>|<b>`: two folded tokens of the same name, sorted ("p:marvar|textile"). Pairs keep
    look-ups small at scale: "Shree" and "Ganesh" are each in thousands of names, the pair
    in far fewer; a pair survives word order, added or dropped words, and a typo in any
    third word.
  - `t:<a><b>` for adjacent tokens written together, and pairs of such a joined term with
    the other tokens, so "Sai Ram" and "Sairam" meet.
  - `n:<all tokens, sorted>`: the whole name as a set, to single out exact names among the
    many sharing a pair.
  About 8 rows for a three-word name, ~30 for a five-word one (8.6 per business measured).
* **vocabulary** `(variant, spelling, token)`, from `vocabulary_entries(name)` and
  `vocabulary_keys(spelling)`, once per distinct spelling: every folded token under itself
  and under the word as written, expanded to its deletion neighbourhood (strings left
  after deleting one letter, two for long words) and its consonant skeleton. A query
  word's own deletions meet these, so a typo finds the real token (symmetric-deletion
  spelling correction); candidates are then checked with `token_similarity`.

A query takes three round trips: the vocabulary (typo-tolerant expansion of each query
word), the name keys built from the expansions (with a city, also the same keys within
that city: the `city` column, indexed with `key`), then the candidates' records for
scoring. Trade-offs: typo tolerance lives in the vocabulary, whose size follows the number
of distinct words rather than of businesses (deletion keys per business would multiply the
big table ~20x); the price is one extra round trip. Pair keys cost n(n-1)/2 rows per name,
bounded by `MAX_PAIR_TOKENS`; a query looks up at most a few hundred keys, and of a key
listing more than `search.MAX_POSTINGS` businesses counts the first `search.LONG_HEAD`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, pairwise
from operator import itemgetter
from typing import NamedTuple, Protocol

from matching.normalise import NormalName, normalise
from matching.phonetic import fold_token, skeleton
from matching.similarity import direct_token_similarity, initials_similarity
from matching.wordlists import COMMON_WORDS

TOKEN_KEY = "t:"
PAIR_KEY = "p:"
WHOLE_KEY = "n:"
SKELETON_VARIANT = "~"
JOINED_SPELLING = "+"
MAX_PAIR_TOKENS = 8
MAX_EXPANSIONS = 6
MIN_JOINED_LENGTH = 5
MIN_EXPANSION_SIMILARITY = 0.55

COMMON_TOKENS: frozenset[str] = frozenset(fold_token(w) for w in COMMON_WORDS)


def max_edits(length: int) -> int:
    """Edits tolerated in a token of this length: one up to 5 letters, two beyond."""
    if length <= 1:
        return 0
    return 1 if length <= 5 else 2


def _as_normal(name: str | NormalName) -> NormalName:
    return name if isinstance(name, NormalName) else normalise(name)


def indexed_tokens(name: NormalName) -> tuple[str, ...]:
    """Distinct folded tokens of a name, in order."""
    return tuple(dict.fromkeys(t for t in name.folded_tokens if t))


def token_key(token: str) -> str:
    return TOKEN_KEY + token


def whole_key(tokens: Iterable[str]) -> str:
    """All the name's tokens, as a set: the same name in any order."""
    return WHOLE_KEY + "|".join(sorted(set(tokens)))


def pair_key(a: str, b: str) -> str:
    return f"{PAIR_KEY}{a}|{b}" if a <= b else f"{PAIR_KEY}{b}|{a}"


@dataclass(frozen=True, slots=True)
class Term:
    """A folded token or two adjacent ones written together, with the positions it covers."""

    token: str
    start: int
    end: int

    def overlaps(self, other: Term) -> bool:
        return self.start < other.end and other.start < self.end


def terms(tokens: tuple[str, ...]) -> list[Term]:
    """Single tokens, then adjacent pairs joined ("maha laxmi" -> "mahalaxmi"), so that a
    name written split meets the same name written as one word."""
    out = [Term(t, i, i + 1) for i, t in enumerate(tokens)]
    for i, (a, b) in enumerate(pairwise(tokens)):
        if len(a) + len(b) >= MIN_JOINED_LENGTH and len(a) > 1 and len(b) > 1:
            out.append(Term(a + b, i, i + 2))
    return out


def name_keys(name: str | NormalName) -> set[str]:
    """Keys under which a business name (or alias) is stored."""
    tokens = indexed_tokens(_as_normal(name))[:MAX_PAIR_TOKENS]
    all_terms = terms(tokens)
    keys: set[str] = set()
    for term in all_terms:
        if term.token not in COMMON_TOKENS or len(tokens) == 1:
            keys.add(token_key(term.token))
    for a, b in combinations(all_terms, 2):
        if pairable(a, b):
            keys.add(pair_key(a.token, b.token))
    if len(tokens) > 1:
        keys.add(whole_key(tokens))
    return keys


def pairable(a: Term, b: Term) -> bool:
    """Two terms form a pair key if they are apart, differ, and at most one is joined."""
    joined = (a.end - a.start > 1) + (b.end - b.start > 1)
    return joined <= 1 and not a.overlaps(b) and a.token != b.token


def vocabulary_entries(name: str | NormalName) -> set[tuple[str, str]]:
    """(spelling, folded token) rows a name adds to the vocabulary table: each folded
    token under itself, and under the word as written, so that a typo is found in whichever
    spelling it is smaller ("Supree" is one letter from "supreme", three from its fold).
    Joined pairs ("mahlaxmi") are entered with `JOINED_SPELLING`: they are many, so they
    get single deletions only."""
    normal = _as_normal(name)
    tokens = indexed_tokens(normal)
    entries = set()
    for term in terms(tokens):
        single = term.end - term.start == 1
        entries.add((term.token if single else JOINED_SPELLING + term.token, term.token))
    for folded, word in zip(normal.folded_tokens, normal.spelled_tokens, strict=False):
        if word != folded:
            entries.add((word, folded))
    return entries


def _deletions(token: str, depth: int) -> set[str]:
    found = {token}
    frontier = {token}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier if len(w) > 1 for i in range(len(w))}
        found |= frontier
    return found


@lru_cache(maxsize=1 << 16)
def vocabulary_keys(spelling: str) -> frozenset[str]:
    """Variants stored for a vocabulary spelling: deletions (1, or 2 from 8 letters) and
    the consonant skeleton; a joined pair only single deletions."""
    if spelling.startswith(JOINED_SPELLING):
        return frozenset(_deletions(spelling[len(JOINED_SPELLING) :], 1))
    depth = 1 if len(spelling) < 8 else 2
    variants = _deletions(spelling, depth)
    variants.add(SKELETON_VARIANT + skeleton(spelling))
    return frozenset(variants)


# Small: a query spelling's variants take some 3 KB, and a web worker meets new spellings
# (typos) without end; the index file's copy keeps what they found per spelling anyway.
@lru_cache(maxsize=1 << 10)
def query_variants(spelling: str) -> frozenset[str]:
    """Variants of a query spelling to look up in the vocabulary table."""
    variants = _deletions(spelling, max_edits(len(spelling)))
    variants.add(SKELETON_VARIANT + skeleton(spelling))
    return frozenset(variants)


# variant -> vocabulary rows stored under it: (spelling, folded token), or just the folded
# token (then the written spelling is not used to judge closeness)
VocabularyRow = tuple[str, str] | str
VocabularyLookup = Callable[[Collection[str]], Mapping[str, Iterable[VocabularyRow]]]
# spelling -> the (spelling, folded token) rows stored under any of its query variants
NearLookup = Callable[[Collection[str]], Mapping[str, Collection[tuple[str, str]]]]


def near_rows(
    spellings: Collection[str], lookup: VocabularyLookup
) -> dict[str, set[tuple[str, str]]]:
    """For each query spelling, the vocabulary rows stored under any of its variants
    (`query_variants`), as (spelling, folded token) pairs: one look-up for them all."""
    wanted: set[str] = set()
    for spelling in spellings:
        wanted |= query_variants(spelling)
    found = lookup(wanted)
    near: dict[str, set[tuple[str, str]]] = {}
    for spelling in spellings:
        rows: set[tuple[str, str]] = set()
        for variant in query_variants(spelling):
            for row in found.get(variant, ()):
                rows.add((row, row) if isinstance(row, str) else row)
        near[spelling] = rows
    return near


@dataclass(frozen=True, slots=True)
class Expansion:
    """A query term with the vocabulary tokens it may stand for, best first."""

    term: Term
    matches: tuple[tuple[str, float], ...]


def query_terms(name: NormalName) -> list[tuple[Term, tuple[str, ...]]]:
    """The query's terms with the spellings to look each up by (folded, and as written)."""
    tokens = indexed_tokens(name)[:MAX_PAIR_TOKENS]
    written: dict[str, str] = {}
    for folded, word in zip(name.folded_tokens, name.spelled_tokens, strict=False):
        written.setdefault(folded, word)
    out = []
    for term in terms(tokens):
        spellings = [term.token]
        raw = written.get(term.token)
        if raw is not None and raw != term.token:
            spellings.append(raw)
        out.append((term, tuple(spellings)))
    return out


#: A query term as `expand_terms` keeps its expansion: its folded token, its spellings,
#: whether it is initials.
ExpansionKey = tuple[str, tuple[str, ...], bool]


class KeptExpansions(Protocol):
    """Where `expand_terms` reads and keeps expansions (e.g. a bounded cache such as
    `registry.search_index.kept_answers.Recent`)."""

    def get(self, key: ExpansionKey, default: None) -> tuple[tuple[str, float], ...] | None: ...

    def put(self, key: ExpansionKey, value: tuple[tuple[str, float], ...]) -> None: ...


def expand_terms(
    items: list[tuple[Term, tuple[str, ...]]],
    lookup: VocabularyLookup | None,
    rarity: Callable[[str], float] = len,
    initials: Collection[str] = (),
    near_lookup: NearLookup | None = None,
    kept: KeptExpansions | None = None,
) -> list[Expansion]:
    """Vocabulary tokens near each query term (a few edits in either spelling, or the same
    consonant skeleton), scored by `token_similarity`; among equally close ones the commoner
    (lower `rarity`, e.g. IDF) first, since a typo is likelier made on a common word.
    A term that is initials (in `initials`, as written) is also read by
    `initials_similarity`, so the same letters in another order come first.
    Without a lookup each term stands only for itself. `near_lookup`, when the index
    has one, answers what `near_rows` over `lookup` would (e.g. kept per spelling).

    `kept`: expansions worked out before, by term, read and added to here. A term's
    expansion depends on the term, its spellings and the index alone (its vocabulary and
    the words' rarity), so whoever keeps them must let them go when the index changes."""
    if lookup is None and near_lookup is None:
        return [Expansion(term, ((term.token, 1.0),)) for term, _ in items]
    asked = []
    for term, spellings in items:
        letters = spellings[-1] in initials and term.end - term.start == 1
        key = (term.token, spellings, letters)
        asked.append((term, spellings, letters, key, None if kept is None else kept.get(key, None)))
    spellings_asked = {
        spelling
        for _, spellings, _, _, matches in asked
        if matches is None
        for spelling in spellings
    }
    found: Mapping[str, Collection[tuple[str, str]]] = {}
    if spellings_asked and near_lookup is not None:
        found = near_lookup(spellings_asked)
    elif spellings_asked:
        assert lookup is not None
        found = near_rows(spellings_asked, lookup)
    expansions = []
    for term, spellings, letters, key, matches in asked:
        if matches is None:
            matches = _expanded(term, spellings, letters, found, rarity)
            if kept is not None:
                kept.put(key, matches)
        expansions.append(Expansion(term, matches))
    return expansions


def _expanded(
    term: Term,
    spellings: tuple[str, ...],
    letters: bool,
    found: Mapping[str, Collection[tuple[str, str]]],
    rarity: Callable[[str], float],
) -> tuple[tuple[str, float], ...]:
    """One term's matches for `expand_terms`, from the vocabulary rows `found` near its
    spellings."""
    near: set[tuple[str, str]] = set()
    for spelling in spellings:
        near.update(found.get(spelling, ()))
    best_sim: dict[str, float] = {term.token: 1.0}
    written = spellings[-1]
    for spelling, other in near:
        if other == term.token:
            continue
        sim = direct_token_similarity(term.token, other)
        if spelling != other or written != term.token:
            sim = max(sim, 0.95 * direct_token_similarity(written, spelling))
        if letters and not spelling.startswith(JOINED_SPELLING):
            sim = max(sim, initials_similarity(written, spelling))
        if sim >= MIN_EXPANSION_SIMILARITY and sim > best_sim.get(other, 0.0):
            best_sim[other] = sim
    scored = set(best_sim.items())
    best = sorted(scored, key=lambda item: (-item[1], rarity(item[0]), item[0]))
    return tuple(best[:MAX_EXPANSIONS])


class QueryKey(NamedTuple):
    """A key to look up and how much a hit on it says (summed similarity of its tokens).
    A named tuple: a search makes some 45, each from a (key, evidence) pair at hand."""

    key: str
    evidence: float


_key_of = tuple.__new__


def key_rarity(key: str, weight: Callable[[str], float], known: Mapping[str, float]) -> float:
    """The mean weight of a key's tokens (`weight`, read first from the weights it has
    worked out, `known`: see `TokenStats.known_weights`), summed in the key's order."""
    parts = key[2:].split("|")
    total = 0.0
    for part in parts:
        value = known.get(part)
        total += weight(part) if value is None else value
    return total / len(parts)


def query_keys_from(expansions: list[Expansion]) -> list[QueryKey]:
    """Keys for a query from its term expansions, each with the evidence a hit carries
    (the best offered for it), most first, in the order first offered among equals."""
    best: dict[str, float] = {}
    get = best.get
    singles = [e for e in expansions if e.term.end - e.term.start == 1]
    single = len(singles) == 1
    if len(singles) > 1:
        for key, evidence in _whole_keys(singles):
            if evidence > get(key, 0.0):
                best[key] = evidence
    for exp in expansions:
        for token, sim in exp.matches:
            if single or token not in COMMON_TOKENS:
                key = TOKEN_KEY + token
                if sim > get(key, 0.0):
                    best[key] = sim
    for left, right in combinations(expansions, 2):
        if not pairable(left.term, right.term):
            continue
        for a, sa in left.matches:
            for b, sb in right.matches:
                if a != b:
                    key = pair_key(a, b)
                    evidence = sa + sb
                    if evidence > get(key, 0.0):
                        best[key] = evidence
    # a stable sort, reversed: equal evidence keeps the order first offered
    ranked = sorted(best.items(), key=itemgetter(1), reverse=True)
    return [_key_of(QueryKey, item) for item in ranked]


def _whole_keys(singles: list[Expansion]) -> list[tuple[str, float]]:
    """Whole-name keys from each term's best reading, with one term read second-best, and
    (for three terms or more) with one term left out: a word the stored name does not
    have ("Matrix Brothers Ent." for "Matrix Enterprises Brothers", whose "Brothers" is its
    legal form). A hit is strong evidence (twice the summed similarity of the terms it
    holds), which singles the business out among the many sharing a pair key at scale."""
    best = [e.matches[0] for e in singles]
    out = [(whole_key(t for t, _ in best), 2 * sum(s for _, s in best))]
    for i, exp in enumerate(singles):
        if len(exp.matches) > 1:
            alt = [*best[:i], exp.matches[1], *best[i + 1 :]]
            out.append((whole_key(t for t, _ in alt), 2 * sum(s for _, s in alt)))
        if len(best) >= 3:
            rest = best[:i] + best[i + 1 :]
            out.append((whole_key(t for t, _ in rest), 2 * sum(s for _, s in rest)))
    return out


def query_keys(name: str | NormalName, lookup: VocabularyLookup | None = None) -> list[QueryKey]:
    """Keys to look up for a search, most telling first; typo-tolerant with a vocabulary
    lookup (see the module docstring), exact otherwise."""
    normal = _as_normal(name)
    return query_keys_from(expand_terms(query_terms(normal), lookup, initials=normal.initials))
