"""Aligning the tokens of two names: how much of one name the other explains, 0..1.

Folded tokens are paired one to one, best pairs first, and each pair counts by the rarity
(IDF) of its commoner side. Two adjacent tokens are first joined when together they spell
a token of the other name ("maha laxmi" against "mahalaxmi").

A search scores one query against a hundred-odd candidates whose words repeat ("traders",
"sri"), so `QueryAligner` prepares the query once and remembers, for that query, the
similarities of candidate tokens and whole candidate names. The numbers are the same as
aligning each pair from scratch; only the work is shared.

`matching._align` (Cython, built by `make install`) is the compiled twin of the hot part
of `QueryAligner`; this module stays the reference. `COMPILED = False` uses the reference
everywhere, and `tests/matching/test_compiled.py` holds the two to the same scores and
rankings on every query of the dev set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from matching.compiled import compiled_twin
from matching.normalise import NormalName
from matching.similarity import (
    SPELLING_DIFFERS,
    Token,
    initials_against,
    pair_similarity,
    token_similarity,
)

Weigher = Callable[[str], float]


# How alike a joined pair of tokens must be to a token of the other name to be joined.
JOIN_SIMILARITY = 0.85
# Only tokens this long are compared with a join (shorter ones must be spelled exactly).
JOIN_MIN_LENGTH = 6

#: The compiled twin of `QueryAligner`'s hot path, None when not built (imported after
#: the two settings above, which it reads from here).
COMPILED_MODULE = compiled_twin("matching._align")
#: Whether new `QueryAligner`s take the compiled twin (False: the reference everywhere).
COMPILED = COMPILED_MODULE is not None


def _lengths_close(a: int, b: int) -> bool:
    """Whether tokens of these lengths may be JOIN_SIMILARITY alike. The OSA distance is at
    least the difference in length, and no other rule of `token_similarity` reaches 0.85
    for tokens of unequal length, so lengths further apart cannot get there."""
    return 1.0 - abs(a - b) / max(a, b) >= JOIN_SIMILARITY


@lru_cache(maxsize=256)
def _close_lengths(length: int) -> frozenset[int]:
    """The token lengths `_lengths_close` to this one (worked out once per length: at a
    million businesses most candidate names are new to a search, so each is prepared)."""
    return frozenset(n for n in range(1, 2 * length) if _lengths_close(length, n))


def _near(joined: str, token: str) -> bool:
    """Whether `token_similarity(joined, token) >= JOIN_SIMILARITY`."""
    return _lengths_close(len(joined), len(token)) and (
        token_similarity(joined, token) >= JOIN_SIMILARITY
    )


@dataclass(frozen=True, slots=True)
class Tokens:
    """A name's tokens prepared for alignment."""

    tokens: tuple[Token, ...]
    folded: frozenset[str]
    #: folded tokens of JOIN_MIN_LENGTH letters or more: what a join may resemble
    long: tuple[str, ...]
    long_lengths: frozenset[int]
    #: tokens[i] joined with tokens[i + 1]
    joins: tuple[Token, ...]
    joined: frozenset[str]
    #: lengths of tokens that may be JOIN_SIMILARITY alike to a join
    near_join_lengths: frozenset[int]

    @classmethod
    def of(cls, tokens: tuple[Token, ...]) -> Tokens:
        folded = frozenset(t[0] for t in tokens)
        long = tuple(f for f in folded if len(f) >= JOIN_MIN_LENGTH)
        joins = tuple((a[0] + b[0], a[1] + b[1], False) for a, b in pairwise(tokens))
        near_join_lengths = frozenset().union(*(_close_lengths(len(t[0])) for t in joins))
        return cls(
            tokens,
            folded,
            long,
            frozenset(len(f) for f in long),
            joins,
            frozenset(t[0] for t in joins),
            near_join_lengths,
        )

    def may_join(self, other: Tokens) -> bool:
        """False when no two adjacent tokens can be joined against `other` (cheap)."""
        return not (
            self.joined.isdisjoint(other.folded)
            and self.near_join_lengths.isdisjoint(other.long_lengths)
        )

    def takes(self, joined: str) -> bool:
        """Whether a join of two tokens of the other name spells one of these tokens."""
        return joined in self.folded or any(_near(joined, o) for o in self.long)


NameKey = tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]


def _key(name: NormalName) -> NameKey:
    return name.folded_tokens, name.spelled_tokens, name.initials


def _prepared(key: NameKey) -> Tokens:
    folded, spelled, initials = key
    return Tokens.of(
        tuple(
            (f, word, word in initials) for f, word in zip(folded, spelled or folded, strict=False)
        )
    )


def tokens_of(name: NormalName) -> Tokens:
    """The (folded, as written, initials) tokens of a name, prepared for alignment.

    Not cached across searches: at a million businesses most candidate names are new to
    a search, and a cache of prepared names (or of token pairs) churning at that rate
    kept promoting objects to the garbage collector's oldest generation, whose full
    collections paused a search for up to 0.6 s. `QueryAligner` remembers, within one
    search, what its candidates share."""
    return _prepared(_key(name))


def merge_splits(side: Tokens, other: Tokens, takes: Callable[[str], bool] | None = None) -> Tokens:
    """Join two adjacent tokens of `side` when together they spell one token of `other`
    ("maha laxmi" against "mahalaxmi"). `takes` may stand in for `other.takes`."""
    tokens = side.tokens
    if len(tokens) < 2 or not other.tokens or not side.may_join(other):
        return side
    takes = takes or other.takes
    out: list[Token] | None = None  # built only once a join is made
    i = 0
    while i < len(tokens) - 1:
        if tokens[i][0] not in other.folded and takes(side.joins[i][0]):
            if out is None:
                out = list(tokens[:i])
            out.append(side.joins[i])
            i += 2
            continue
        if out is not None:
            out.append(tokens[i])
        i += 1
    if out is None:
        return side
    out.extend(tokens[i:])
    return Tokens.of(tuple(out))


Pair = tuple[float, int, int]  # (similarity, query token, candidate token)
Row = tuple[tuple[tuple[float, int], ...], float, int]


def align(
    pairs: list[Pair], q_weights: Sequence[float], c_weights: Sequence[float], query_share: float
) -> float:
    """The weighted one-to-one alignment, given every pair of tokens that are alike at all
    and the weight of every token. Sorts `pairs`."""
    pairs.sort(reverse=True)
    used_q = [False] * len(q_weights)
    used_c = [False] * len(c_weights)
    left = min(len(q_weights), len(c_weights))
    matched = q_total = c_total = 0.0
    for sim, i, j in pairs:
        if used_q[i] or used_c[j]:
            continue
        used_q[i] = used_c[j] = True
        # the rarer-looking side of a typo is the typo: take the commoner side's weight
        w = min(c_weights[j], q_weights[i])
        matched += sim * w
        q_total += w
        c_total += w
        left -= 1
        if not left:
            break  # every token of one side is used: no other pair can count
    for i, w in enumerate(q_weights):
        if not used_q[i]:
            q_total += w
    for j, w in enumerate(c_weights):
        if not used_c[j]:
            c_total += w
    recall = matched / q_total if q_total else 0.0
    precision = matched / c_total if c_total else 0.0
    return query_share * recall + (1.0 - query_share) * precision


class QueryAligner:
    """`name_similarity` of one query against many candidate names, with what the
    candidates share worked out once: how alike each candidate token is to each query
    token, and the similarity of repeated names."""

    def __init__(
        self,
        query: NormalName,
        weight: Weigher,
        query_share: float = 0.6,
        known: Mapping[str, float] | None = None,
    ) -> None:
        self.query = tokens_of(query)
        self.weight = weight
        # weights `weight` would answer from what it keeps (`TokenStats.known_weights`):
        # the compiled twin reads them here first, without a call in Python for each
        self.known: Mapping[str, float] = {} if known is None else known
        self.query_share = query_share
        self._q_weights = [weight(t[0]) for t in self.query.tokens]
        # candidate token -> ((similarity, query token index) where alike at all, weight,
        # the query joins that may spell it as bits: see `_join_bits`)
        self._rows: dict[Token, Row] = {}
        self._takes: dict[str, bool] = {}  # candidate join -> whether it spells a query token
        self._names: dict[NameKey, float] = {}
        # lengths a join of two candidate tokens must have for the query to take it
        self._take_lengths = frozenset(len(f) for f in self.query.folded).union(
            *(_close_lengths(n) for n in self.query.long_lengths)
        )
        # the twin module itself, not a bound method or a partial of this aligner: either
        # would refer back to it, and a search's aligner (its memo of a few hundred
        # tuples) would then wait for the garbage collector instead of going at once
        twin = COMPILED_MODULE if COMPILED else None
        self._twin = twin
        self._align_pairs: Callable[
            [list[Pair], Sequence[float], Sequence[float], float], float
        ] = twin.align if twin is not None else align

    def similarity(self, cand: NormalName) -> float:
        """`name_similarity(query, cand, weight, query_share)`."""
        key = (cand.folded_tokens, cand.spelled_tokens, cand.initials)
        sim = self._names.get(key)
        if sim is None:
            twin = self._twin
            sim = self._names[key] = (
                twin.align_key(self, key) if twin is not None else self._align_key(key)
            )
        return sim

    def _align_name(self, key: NameKey) -> float:
        """`_align` of a candidate name prepared from its key (the compiled twin's way
        back for the rarer cases)."""
        return self._align(_prepared(key))

    def _align_key(self, key: NameKey) -> float:
        """`_align` of a candidate name, without preparing its `Tokens` in the usual case
        where neither side has two tokens to join: the memo of candidate tokens says which
        of them a query join may spell (`_join_bits`), and the lengths a candidate join
        needs to be taken (`_take_lengths`) rule most joins out before they are spelled.
        Otherwise, `_align`."""
        folded, spelled, initials = key
        if not folded or not self.query.tokens:
            return 0.0
        if spelled and len(spelled) != len(folded):
            return self._align_name(key)
        rows = self._rows
        take_lengths = self._take_lengths
        q_folded = self.query.folded
        pairs: list[Pair] = []
        append = pairs.append
        c_weights: list[float] = []
        prev = ""
        for j, (f, word) in enumerate(zip(folded, spelled or folded, strict=False)):
            token = (f, word, word in initials)
            row = rows.get(token)
            if row is None:
                row = rows[token] = self._row(token)
            hits, w, join_bits = row
            if join_bits or (
                j
                and len(prev) + len(f) in take_lengths
                and prev not in q_folded
                and self._query_takes(prev + f)
            ):
                return self._align_name(key)
            c_weights.append(w)
            for sim, i in hits:
                append((sim, i, j))
            prev = f
        return align(pairs, self._q_weights, c_weights, self.query_share)

    def _join_bits(self, token: str) -> int:
        """Bit i set when a candidate holding `token` would take the join of query tokens
        i and i + 1 (`Tokens.takes`)."""
        bits = 0
        if len(token) >= JOIN_MIN_LENGTH and len(token) in self.query.near_join_lengths:
            for i, joined in enumerate(self.query.joins):
                if joined[0] == token or _near(joined[0], token):
                    bits |= 1 << i
        elif token in self.query.joined:
            for i, joined in enumerate(self.query.joins):
                if joined[0] == token:
                    bits |= 1 << i
        return bits

    def _row(self, token: Token) -> Row:
        """`pair_similarity` of each query token with `token`, where alike at all (written
        out for the usual case, neither side initials: a search makes some hundred rows)."""
        hits: list[tuple[float, int]] = []
        folded, word, letters = token
        for i, q in enumerate(self.query.tokens):
            q_folded, q_word, q_letters = q
            if letters or q_letters:
                sim = initials_against(q, token)
            else:
                sim = token_similarity(q_folded, folded)
                if sim == 1.0:
                    sim = 1.0 if q_word == word else 1.0 - SPELLING_DIFFERS
                elif sim < 0.85 and (q_word != q_folded or word != folded):
                    sim = max(sim, 0.95 * token_similarity(q_word, word))
            if sim > 0.0:
                hits.append((sim, i))
        return tuple(hits), self.weight(folded), self._join_bits(folded)

    def _query_takes(self, joined: str) -> bool:
        takes = self._takes.get(joined)
        if takes is None:
            takes = self._takes[joined] = self.query.takes(joined)
        return takes

    def _align(self, cand: Tokens) -> float:
        """`name_similarity` worked out; the usual case, where no query tokens are joined,
        takes candidate tokens' similarities from (and adds them to) the memo."""
        query = self.query
        if not query.tokens or not cand.tokens:
            return 0.0
        q = merge_splits(query, cand)
        if q is not query:
            return self._align_joined(q, cand)
        cand = merge_splits(cand, query, self._query_takes)
        rows = self._rows
        pairs: list[Pair] = []
        c_weights: list[float] = []
        for j, token in enumerate(cand.tokens):
            row = rows.get(token)
            if row is None:
                row = rows[token] = self._row(token)
            hits, w, _ = row
            c_weights.append(w)
            for sim, i in hits:
                pairs.append((sim, i, j))
        return self._align_pairs(pairs, self._q_weights, c_weights, self.query_share)

    def _align_joined(self, q: Tokens, cand: Tokens) -> float:
        """The alignment when tokens of the query were joined (`q`), from scratch."""
        return _align_tokens(q, merge_splits(cand, q), self.weight, self.query_share)


def _align_tokens(q: Tokens, c: Tokens, weight: Weigher, query_share: float) -> float:
    """The alignment of two names whose tokens are joined already, from scratch."""
    pairs = [
        (sim, i, j)
        for i, qt in enumerate(q.tokens)
        for j, ct in enumerate(c.tokens)
        if (sim := pair_similarity(qt, ct)) > 0.0
    ]
    q_weights = [weight(t[0]) for t in q.tokens]
    c_weights = [weight(t[0]) for t in c.tokens]
    return align(pairs, q_weights, c_weights, query_share)


def name_similarity(
    query: NormalName, cand: NormalName, weight: Weigher, query_share: float = 0.6
) -> float:
    """IDF-weighted one-to-one alignment of tokens, 0..1.

    `query_share` splits the result between how much of the query is found (recall) and how
    much of the candidate is explained (precision); 0.5 makes the measure symmetric.
    For many candidates against one query, `QueryAligner` is faster.
    """
    q, c = tokens_of(query), tokens_of(cand)
    if not q.tokens or not c.tokens:
        return 0.0
    q = merge_splits(q, c)
    return _align_tokens(q, merge_splits(c, q), weight, query_share)
