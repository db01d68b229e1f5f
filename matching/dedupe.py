"""Probable duplicate businesses, for an admin to merge.

Rules, strongest first:

* same GSTIN: the same business;
* same PAN (given, or read from the GSTIN): the same legal entity;
* both have a PAN (or GSTIN) and they differ: not the same, whatever the names say;
* otherwise the names decide, and only within one city: the same trade name in two cities
  is two businesses. A record without a city may pair with one in any city.

No pair of records is compared unless they share a blocking key: an identifier, or a
name key (`keys.name_keys`) within their city. Before blocking, every token is mapped to
the most frequent vocabulary token within an edit or two ("Durta" -> "Durga"), so typos
share blocks with the correct spelling without a per-record fuzzy search. Blocks larger
than `MAX_BLOCK` are skipped except the whole-name block, so cost grows with the number of
records, not its square.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz.distance import OSA

from matching.align import name_similarity
from matching.keys import (
    MAX_PAIR_TOKENS,
    WHOLE_KEY,
    max_edits,
    pair_key,
    pairable,
    terms,
    token_key,
    whole_key,
)
from matching.kinds import clean_gstin, clean_pan, pan_of_gstin
from matching.normalise import NormalName, canonical_city, normalise
from matching.score import TokenStats, canonical_state, legal_penalty
from matching.wordlists import COMMON_WORDS

MAX_BLOCK = 40
MAX_NAME_BLOCK = 400
# Names must reach this score (0..100) to be proposed without a shared identifier.
NAME_THRESHOLD = 75.0
# Points off when one of the two records has no city.
CITY_MISSING = 5.0

_COMMON = frozenset(COMMON_WORDS)


@dataclass(frozen=True, slots=True)
class DedupeRecord:
    """A business as filed: identifiers and place are optional."""

    id: int
    name: str
    gstin: str | None = None
    pan: str | None = None
    city: str | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two records that are probably one business, with the reasons a reviewer reads."""

    a: int
    b: int
    score: float
    reasons: tuple[str, ...] = field(default=())


@dataclass(slots=True)
class PreparedRecord:
    """A record with identifiers cleaned, name normalised and tokens made canonical."""

    id: int
    name: NormalName
    tokens: tuple[str, ...]
    gstin: str | None
    pan: str | None
    city: str | None
    state: str | None


def _prepare(record: DedupeRecord) -> PreparedRecord:
    gstin = clean_gstin(record.gstin)
    pan = clean_pan(record.pan) or (pan_of_gstin(gstin) if gstin else None)
    name = normalise(record.name)
    return PreparedRecord(
        record.id, name, (), gstin, pan, canonical_city(record.city), canonical_state(record.state)
    )


def canonical_tokens(doc_freq: Counter[str]) -> dict[str, str]:
    """Map each token to the most frequent token within `max_edits` of it (itself if none
    is more frequent): typos fold into the spelling most people used."""
    variants: dict[str, list[str]] = defaultdict(list)
    for token in doc_freq:
        for variant in _variants(token):
            variants[variant].append(token)
    parent: dict[str, str] = {}
    for token, df in doc_freq.items():
        best, best_df = token, df
        limit = max_edits(len(token))
        for variant in _variants(token):
            for other in variants[variant]:
                other_df = doc_freq[other]
                better = other_df > best_df or (other_df == best_df and other < best)
                if better and OSA.distance(token, other, score_cutoff=limit) <= limit:
                    best, best_df = other, other_df
        parent[token] = best
    for token in parent:
        root = parent[token]
        seen = {token}
        while parent[root] != root and root not in seen:
            seen.add(root)
            root = parent[root]
        parent[token] = root
    return parent


def _variants(token: str) -> set[str]:
    out = {token}
    if len(token) >= 4:
        out |= {token[:i] + token[i + 1 :] for i in range(len(token))}
    return out


def _block_keys(tokens: tuple[str, ...]) -> tuple[str, list[str]]:
    """The whole-name key and the smaller keys (pairs, rare tokens) of canonical tokens."""
    whole = whole_key(tokens)
    keys: list[str] = []
    all_terms = terms(tokens[:MAX_PAIR_TOKENS])
    for term in all_terms:
        if term.token not in _COMMON or len(tokens) == 1:
            keys.append(token_key(term.token))
    for a, b in combinations(all_terms, 2):
        if pairable(a, b):
            keys.append(pair_key(a.token, b.token))
    return whole, keys


def _identifier_verdict(a: PreparedRecord, b: PreparedRecord) -> tuple[bool | None, list[str]]:
    """True: same by identifier; False: identifiers prove them different; None: unknown."""
    if a.gstin and b.gstin and a.gstin == b.gstin:
        return True, ["same GSTIN"]
    if a.pan and b.pan:
        if a.pan == b.pan:
            reasons = ["same PAN"]
            if a.gstin and b.gstin:
                reasons.append("different GSTINs of one legal entity")
            return True, reasons
        return False, []
    if a.gstin and b.gstin:
        return False, []
    return None, []


def _name_verdict(
    a: PreparedRecord, b: PreparedRecord, stats: TokenStats
) -> tuple[float, list[str]]:
    sim = name_similarity(a.name, b.name, stats.weight, query_share=0.5)
    penalty = max(legal_penalty(a.name, b.name), legal_penalty(b.name, a.name))
    reasons: list[str] = []
    if a.name.folded_tokens == b.name.folded_tokens or sorted(a.name.folded_tokens) == sorted(
        b.name.folded_tokens
    ):
        reasons.append("names match after normalisation")
    else:
        reasons.append(f"names similar ({round(100 * sim)}%)")
    if a.name.legal_form and a.name.legal_form == b.name.legal_form:
        reasons.append(f"same legal form ({a.name.legal_form})")
    elif penalty:
        reasons.append(f"legal forms differ ({a.name.legal_form} / {b.name.legal_form})")
    if a.name.legal_family and b.name.legal_family and a.name.legal_family != b.name.legal_family:
        return 0.0, reasons
    return 100.0 * sim - penalty, reasons


def _place_verdict(a: PreparedRecord, b: PreparedRecord) -> tuple[bool, float, list[str]]:
    """(allowed, penalty, reasons): different known cities never pair on names alone."""
    if a.city and b.city:
        if a.city != b.city:
            return False, 0.0, []
        return True, 0.0, ["same city"]
    if a.state and b.state and a.state != b.state:
        return False, 0.0, []
    return True, CITY_MISSING, ["city missing on one record"]


def judge_pair(a: PreparedRecord, b: PreparedRecord, stats: TokenStats) -> DuplicatePair | None:
    """A proposal for two prepared records, or None when they are not probably one."""
    same, id_reasons = _identifier_verdict(a, b)
    if same is False:
        return None
    name_score, name_reasons = _name_verdict(a, b, stats)
    allowed, place_penalty, place_reasons = _place_verdict(a, b)
    if same:
        score = max(90.0, min(100.0, 90.0 + name_score / 10.0))
        if id_reasons == ["same GSTIN"]:
            score = 100.0
        return DuplicatePair(
            a.id, b.id, round(score, 1), tuple(id_reasons + name_reasons + place_reasons)
        )
    if not allowed:
        return None
    score = name_score - place_penalty
    if score < NAME_THRESHOLD:
        return None
    return DuplicatePair(
        a.id, b.id, round(min(100.0, score), 1), tuple(name_reasons + place_reasons)
    )


def candidate_pairs(prepared: Sequence[PreparedRecord]) -> set[tuple[int, int]]:
    """Index pairs (positions in `prepared`) that share an identifier or a name block."""
    pairs: set[tuple[int, int]] = set()
    by_id: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(prepared):
        if p.gstin:
            by_id["g:" + p.gstin].append(i)
        if p.pan:
            by_id["a:" + p.pan].append(i)
    for members in by_id.values():
        _add_block(pairs, members, MAX_NAME_BLOCK)
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    no_city: list[tuple[int, list[str]]] = []
    for i, p in enumerate(prepared):
        whole, keys = _block_keys(p.tokens)
        if p.city is None:
            no_city.append((i, [whole, *keys]))
        blocks[(p.city or "", whole)].append(i)
        for key in keys:
            blocks[(p.city or "", key)].append(i)
    for (_, key), members in blocks.items():
        _add_block(pairs, members, MAX_NAME_BLOCK if key.startswith(WHOLE_KEY) else MAX_BLOCK)
    if no_city:
        _pair_cityless(pairs, blocks, no_city)
    return pairs


def _pair_cityless(
    pairs: set[tuple[int, int]],
    blocks: dict[tuple[str, str], list[int]],
    no_city: list[tuple[int, list[str]]],
) -> None:
    """Records without a city meet the same keys in every city."""
    wanted = {k for _, keys in no_city for k in keys}
    by_key: dict[str, list[int]] = defaultdict(list)
    for (city, key), members in blocks.items():
        if city and key in wanted:
            by_key[key].extend(members)
    for i, keys in no_city:
        for key in keys:
            members = by_key.get(key, [])
            limit = MAX_NAME_BLOCK if key.startswith(WHOLE_KEY) else MAX_BLOCK
            if len(members) <= limit:
                for j in members:
                    pairs.add((min(i, j), max(i, j)))


def _add_block(pairs: set[tuple[int, int]], members: list[int], limit: int) -> None:
    if len(members) < 2 or len(members) > limit:
        return
    for i, j in combinations(members, 2):
        if i != j:
            pairs.add((min(i, j), max(i, j)))


def prepare_all(records: Iterable[DedupeRecord]) -> tuple[list[PreparedRecord], TokenStats]:
    """Normalise records, fold typos into canonical tokens, and count token statistics."""
    prepared = [_prepare(r) for r in records]
    doc_freq: Counter[str] = Counter()
    for p in prepared:
        doc_freq.update(set(p.name.folded_tokens))
    canon = canonical_tokens(doc_freq)
    for p in prepared:
        p.tokens = tuple(dict.fromkeys(canon.get(t, t) for t in p.name.folded_tokens))
    return prepared, TokenStats(doc_freq, len(prepared))


def find_duplicates(records: Iterable[DedupeRecord]) -> list[DuplicatePair]:
    """Probable duplicate pairs, best first (see the module docstring for the rules)."""
    prepared, stats = prepare_all(records)
    proposals = []
    for i, j in candidate_pairs(prepared):
        pair = judge_pair(prepared[i], prepared[j], stats)
        if pair is not None:
            proposals.append(pair)
    proposals.sort(key=lambda p: (-p.score, p.a, p.b))
    return proposals
