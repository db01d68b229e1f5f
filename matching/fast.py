"""The pre-ranking's hot loop in numpy or compiled code: summing each candidate's key
evidence over flat arrays of posting ids, then choosing the best.

`matching.search.pre_rank` adds, for every id of every usable posting list, that key's
gain to the id's evidence, then keeps the `count` ids of most evidence (lowest ids first
among equals). At a million businesses a query's lists hold thousands of ids, and that
loop in Python was the part of pre-ranking that grew with the directory. Where it is
built, the compiled twin (`matching/_evidence.pyx`: a hash table and a heap in C) does it
for lists of any length. Otherwise the lists become one array of ids and one of gains;
`np.unique` numbers the ids and `np.bincount` sums the gains per id in the order given
(the same additions, in the same order, as the Python loop: the sums are bit for bit the
same), and one `np.lexsort` orders them.

The pure-Python loop in `matching.search` stays the reference: `ENABLED = False` uses it
everywhere (`COMPILED = False`: numpy instead of the twin), and
`tests/matching/test_fast.py` holds the three to the same answers (ids, order, scores) on
every query of the dev set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.compiled import compiled_twin

#: Whether `pre_rank` takes this path (False: the pure-Python reference everywhere).
ENABLED = True
#: Below this many posting ids in all, the Python loop is faster than building arrays.
MIN_IDS = 600
#: The compiled twin of `best_by_evidence` (`matching/_evidence.pyx`), None when not built.
COMPILED_MODULE = compiled_twin("matching._evidence")
#: Whether the compiled twin is taken, for lists of any length (False: numpy for long
#: lists, the Python loop for short ones).
COMPILED = COMPILED_MODULE is not None


def worth_it(lists: Sequence[tuple[Sequence[int], float]]) -> bool:
    """Whether these lists are long enough for this path (and it is enabled): any are
    with the compiled twin."""
    if not ENABLED:
        return False
    return (COMPILED and COMPILED_MODULE is not None) or sum(
        len(ids) for ids, _ in lists
    ) >= MIN_IDS


def best_by_evidence(lists: Sequence[tuple[Sequence[int], float]], count: int) -> list[int]:
    """The `count` ids with the most summed gain over `lists` ((ids, gain) pairs, summed
    in this order), most first, lowest ids first among equals: what
    `matching.search._best` gives for the evidence the Python loop sums."""
    if COMPILED and COMPILED_MODULE is not None:
        best: list[int] = COMPILED_MODULE.best_by_evidence(lists, count)
        return best
    if count <= 0 or not lists:
        return []
    ids = np.concatenate([np.asarray(ids, dtype=np.int64) for ids, _ in lists])
    if not len(ids):
        return []
    gains = np.repeat(
        np.array([gain for _, gain in lists], dtype=np.float64),
        [len(ids) for ids, _ in lists],
    )
    unique, numbered = np.unique(ids, return_inverse=True)
    evidence = np.bincount(numbered, weights=gains, minlength=len(unique))
    order = np.lexsort((unique, -evidence))[:count]
    return unique[order].tolist()  # type: ignore[no-any-return]
