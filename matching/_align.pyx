# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled twin of the scorer's hot path in `matching.align` and `matching.score`:
`Scorer.score` over a search's candidates (`scores`), `QueryAligner`'s alignment of one
candidate name (`align_key`), the similarities of one candidate token to the query's
tokens (`row`), which of the query's joins of two tokens a candidate token may spell and
whether a join of two candidate tokens spells a query token (`_join_bits`,
`_query_takes`), and the weighted one-to-one alignment itself (`align`).

Line for line what the pure-Python reference does, with the same additions in the same
order (built without floating-point contraction), and each token pair's similarity worked
out by the compiled twin of `matching.similarity` (`matching._similarity`), so the scores
are bit for bit the same; `tests/matching/test_compiled.py` holds the two equal on every
dev-set query. The gain is in the representation: the pairs of a candidate go into a C array of structs
(no tuple per pair) and are sorted and walked there, and the loops run on C doubles.
Anything rarer (joins of two tokens, names whose spelled tokens differ in number) is
handed back to the reference's methods on the aligner.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdlib cimport qsort

from matching._similarity cimport TokenSimilarity
from matching.align import JOIN_MIN_LENGTH, JOIN_SIMILARITY
from matching.similarity import SPELLING_DIFFERS, TOKEN_PAIRS, initials_similarity

cdef double _SPELLING_DIFFERS = SPELLING_DIFFERS
cdef double _JOIN_SIMILARITY = JOIN_SIMILARITY
cdef Py_ssize_t _JOIN_MIN_LENGTH = JOIN_MIN_LENGTH


cdef struct Pair:
    double sim
    Py_ssize_t i
    Py_ssize_t j


cdef int _descending(const void *a, const void *b) noexcept nogil:
    """Tuples (sim, i, j) in the order `list.sort(reverse=True)` gives them."""
    cdef const Pair *x = <const Pair *> a
    cdef const Pair *y = <const Pair *> b
    if x.sim != y.sim:
        return -1 if x.sim > y.sim else 1
    if x.i != y.i:
        return -1 if x.i > y.i else 1
    if x.j != y.j:
        return -1 if x.j > y.j else 1
    return 0


cdef double _aligned(
    Pair *pairs,
    Py_ssize_t n_pairs,
    double *q_weights,
    Py_ssize_t n_q,
    double *c_weights,
    Py_ssize_t n_c,
    double query_share,
    char *used,
) noexcept:
    """`matching.align.align` on C arrays (sorts `pairs`; `used`: room for n_q + n_c
    flags)."""
    cdef Py_ssize_t k, i, j
    cdef Py_ssize_t left = n_q if n_q < n_c else n_c
    cdef double matched = 0.0, q_total = 0.0, c_total = 0.0, w, recall, precision
    for k in range(n_q + n_c):
        used[k] = 0
    qsort(pairs, n_pairs, sizeof(Pair), _descending)
    for k in range(n_pairs):
        i = pairs[k].i
        j = pairs[k].j
        if used[i] or used[n_q + j]:
            continue
        used[i] = used[n_q + j] = 1
        # min(c_weights[j], q_weights[i]), as Python's min picks
        w = q_weights[i] if q_weights[i] < c_weights[j] else c_weights[j]
        matched += pairs[k].sim * w
        q_total += w
        c_total += w
        left -= 1
        if not left:
            break
    for i in range(n_q):
        if not used[i]:
            q_total += q_weights[i]
    for j in range(n_c):
        if not used[n_q + j]:
            c_total += c_weights[j]
    recall = matched / q_total if q_total else 0.0
    precision = matched / c_total if c_total else 0.0
    return query_share * recall + (1.0 - query_share) * precision


def align(list pairs, q_weights, c_weights, double query_share):
    """`matching.align.align`: the same answer, without sorting `pairs` in place."""
    cdef Py_ssize_t n_q = len(q_weights), n_c = len(c_weights), n = len(pairs), k
    cdef Pair *cs = <Pair *> PyMem_Malloc((n + 1) * sizeof(Pair))
    cdef double *ws = <double *> PyMem_Malloc((n_q + n_c + 1) * (sizeof(double) + 1))
    if cs == NULL or ws == NULL:
        PyMem_Free(cs)
        PyMem_Free(ws)
        raise MemoryError()
    try:
        for k in range(n):
            cs[k].sim, cs[k].i, cs[k].j = pairs[k]
        for k in range(n_q):
            ws[k] = q_weights[k]
        for k in range(n_c):
            ws[n_q + k] = c_weights[k]
        return _aligned(
            cs, n, ws, n_q, ws + n_q, n_c, query_share, <char *> (ws + n_q + n_c + 1)
        )
    finally:
        PyMem_Free(cs)
        PyMem_Free(ws)


#: The compiled token similarity the memo works its pairs out with (`matching._similarity`),
#: called here in C: working a pair out (~0.2 microseconds) costs less than looking it up
#: in the memo's dicts and keeping it there. None when it was not built: then the memo.
cdef TokenSimilarity _WORK = (
    TOKEN_PAIRS.compute if isinstance(TOKEN_PAIRS.compute, TokenSimilarity) else None
)


cdef inline double _similar(dict newer, a, b) except? -1.0:
    """`token_similarity(a, b)`: worked out by the compiled token similarity, or without
    it looked up in place in the newer generation of the memo's answers
    (`matching.similarity.TOKEN_PAIRS`, no key object made), else asked of the memo."""
    if _WORK is not None:
        return _WORK.similarity(a, b)
    row = newer.get(a)
    if row is not None:
        found = (<dict> row).get(b)
        if found is not None:
            return <double> found
    return TOKEN_PAIRS.missing(a, b)


cdef bint _near(dict newer, str joined, str token) except -1:
    """`matching.align._near`: whether `token_similarity(joined, token)` reaches
    JOIN_SIMILARITY, ruled out first by the lengths (`_lengths_close`)."""
    cdef Py_ssize_t a = len(joined), b = len(token)
    cdef Py_ssize_t longer = a if a > b else b
    if not 1.0 - (<double> (a - b if a > b else b - a)) / longer >= _JOIN_SIMILARITY:
        return False
    return _similar(newer, joined, token) >= _JOIN_SIMILARITY


cdef object _join_bits(query, dict newer, str token):
    """`QueryAligner._join_bits`: bit i set when a candidate holding `token` would take the
    join of query tokens i and i + 1."""
    bits = 0
    cdef Py_ssize_t i = 0
    if len(token) >= _JOIN_MIN_LENGTH and len(token) in query.near_join_lengths:
        for joined in query.joins:
            if joined[0] == token or _near(newer, joined[0], token):
                bits |= 1 << i
            i += 1
    elif token in query.joined:
        for joined in query.joins:
            if joined[0] == token:
                bits |= 1 << i
            i += 1
    return bits


cdef bint _query_takes(aligner, str joined) except -1:
    """`QueryAligner._query_takes`: whether a join of two candidate tokens spells one of
    the query's tokens (`Tokens.takes`), kept in the aligner's memo of them."""
    cdef dict takes = aligner._takes
    found = takes.get(joined)
    if found is None:
        query = aligner.query
        found = joined in query.folded
        if not found:
            newer = TOKEN_PAIRS.newer
            for other in query.long:
                if _near(newer, joined, other):
                    found = True
                    break
        takes[joined] = found
    return found


cdef double _initials_against(a, b) except? -1.0:
    """`matching.similarity.initials_against` (one token or both initials): which of the
    cases it asks `initials_similarity` about (lru-cached) told apart here, without a
    call in Python for the others (a search of names with initials asks some 40)."""
    if a[2] and b[2]:
        return <double> initials_similarity(a[1], b[1])
    cdef str word, letters, shorter, longer
    if a[2]:
        word, letters = b[1], a[1]
    else:
        word, letters = a[1], b[1]
    cdef Py_ssize_t n_word = len(word), n_letters = len(letters)
    if n_word <= n_letters:  # as `sorted((word, letters), key=len)`: the word first if equal
        shorter, longer = word, letters
    else:
        shorter, longer = letters, word
    cdef Py_ssize_t n_short = len(shorter), n_long = len(longer)
    if (
        (n_word == n_letters and n_letters > 2)
        or (n_long == n_short + 1 and longer.startswith(shorter))
        or (n_word <= 2 and n_long <= n_short + 1)
    ):
        return <double> initials_similarity(letters, word)
    return 1.0 if word == letters else 0.0


def row(aligner, tuple token):
    """`QueryAligner._row`: `pair_similarity` of each query token with `token` where
    alike at all, the token's weight, and the query joins it may spell (`_join_bits`)."""
    cdef list hits = []
    cdef double sim, alt
    cdef Py_ssize_t i = 0
    # the newer generation as it is now: should it be turned over meanwhile, its answers
    # are still right, and what it misses is asked of the memo
    cdef dict newer = TOKEN_PAIRS.newer
    folded, word, letters = token
    for q in aligner.query.tokens:
        q_folded, q_word, q_letters = q
        if letters or q_letters:
            sim = _initials_against(q, token)
        else:
            sim = _similar(newer, q_folded, folded)
            if sim == 1.0:
                sim = 1.0 if q_word == word else 1.0 - _SPELLING_DIFFERS
            elif sim < 0.85 and (q_word != q_folded or word != folded):
                alt = 0.95 * _similar(newer, q_word, word)
                if alt > sim:
                    sim = alt
        if sim > 0.0:
            hits.append((sim, i))
        i += 1
    weight = (<dict> aligner.known).get(folded) if type(aligner.known) is dict else None
    if weight is None:
        weight = aligner.weight(folded)
    return tuple(hits), weight, _join_bits(aligner.query, newer, folded)


def align_key(aligner, tuple key):
    """`QueryAligner._align_key`: the similarity of one candidate name (its folded
    tokens, tokens as written and initials) to the aligner's query, 0..1."""
    folded, spelled, initials = key
    query = aligner.query
    if not folded or not query.tokens:
        return 0.0
    if spelled and len(spelled) != len(folded):
        return aligner._align_name(key)
    cdef dict rows = aligner._rows
    take_lengths = aligner._take_lengths
    q_folded = query.folded
    cdef list q_weights = aligner._q_weights
    cdef Py_ssize_t n_q = len(q_weights), n_c = len(folded), n = 0, j, k, room
    cdef tuple hits
    # at most one pair per query token for each candidate token
    room = n_q * n_c
    cdef Pair *pairs = <Pair *> PyMem_Malloc((room + 1) * sizeof(Pair))
    cdef double *ws = <double *> PyMem_Malloc((n_q + n_c + 1) * (sizeof(double) + 1))
    if pairs == NULL or ws == NULL:
        PyMem_Free(pairs)
        PyMem_Free(ws)
        raise MemoryError()
    try:
        for k in range(n_q):
            ws[k] = q_weights[k]
        prev = ""
        words = spelled or folded
        for j in range(n_c):
            f = folded[j]
            word = words[j]
            token = (f, word, word in initials)
            found = rows.get(token)
            if found is None:
                found = rows[token] = row(aligner, token)
            hits = found[0]
            if found[2] or (
                j
                and len(prev) + len(f) in take_lengths
                and prev not in q_folded
                and _query_takes(aligner, prev + f)
            ):
                return aligner._align_name(key)
            ws[n_q + j] = found[1]
            for hit in hits:
                pairs[n].sim, pairs[n].i = hit
                pairs[n].j = j
                n += 1
            prev = f
        return _aligned(
            pairs, n, ws, n_q, ws + n_q, n_c, aligner.query_share, <char *> (ws + n_q + n_c + 1)
        )
    finally:
        PyMem_Free(pairs)
        PyMem_Free(ws)


cdef double _similarity(aligner, dict memo, name) except? -1.0:
    """`QueryAligner.similarity` of one name, through the aligner's memo."""
    key = (name.folded_tokens, name.spelled_tokens, name.initials)
    found = memo.get(key)
    if found is None:
        found = memo[key] = align_key(aligner, key)
    return found


cdef inline double _legal(legal_penalty, dict forms, query, q_form, name) except? -1.0:
    """`matching.score.legal_penalty`, which depends on the query's form and the name's
    alone: 0 for the query's own form, as there, and asked of it once per other form of a
    search's candidates (kept in `forms`; ~70 names a search have another or none)."""
    c_form = name.legal_form
    if c_form == q_form:
        return 0.0
    found = forms.get(c_form)
    if found is None:
        found = forms[c_form] = <double> legal_penalty(query, name)
    return <double> found


cdef struct PlacePoints:
    double city_unknown, city_other_same_state, city_other, state_unknown, state_other


cdef double _place(PlacePoints *points, cand, city, state) except? -1.0:
    """`matching.score.place_penalty` in C, its points handed in (`PLACE_POINTS` there)."""
    if city:
        found = cand.city
        if found == city:
            return 0.0
        if found is None:
            return points.city_unknown
        if state and cand.state == state:
            return points.city_other_same_state
        return points.city_other
    if state:
        found = cand.state
        if found == state:
            return 0.0
        return points.state_unknown if found is None else points.state_other
    return 0.0


def scores(scorer, candidates, legal_penalty, tuple place_points):
    """`Scorer.score` of each candidate, in order: its best name (or alias) less the
    legal-form and place penalties (`matching.score.legal_penalty`, and the points of
    `place_penalty`, handed in), clamped to 0..100, with the same operations in the same
    order as the reference."""
    aligner = scorer._names
    cdef dict memo = aligner._names
    cdef bint legal = scorer._legal, place = scorer._place
    cdef double value, other
    cdef list out = []
    cdef PlacePoints points
    cdef dict forms = {}
    (
        points.city_unknown,
        points.city_other_same_state,
        points.city_other,
        points.state_unknown,
        points.state_other,
    ) = place_points
    query, city, state = scorer.query, scorer.city, scorer.state
    q_form = query.legal_form
    for cand in candidates:
        name = cand.name
        if legal:
            value = 100.0 * _similarity(aligner, memo, name) - _legal(
                legal_penalty, forms, query, q_form, name
            )
            for alias in cand.aliases:
                other = 100.0 * _similarity(aligner, memo, alias) - _legal(
                    legal_penalty, forms, query, q_form, alias
                )
                if other > value:
                    value = other
        else:
            value = 100.0 * _similarity(aligner, memo, name)
            for alias in cand.aliases:
                other = 100.0 * _similarity(aligner, memo, alias)
                if other > value:
                    value = other
        if place:
            value -= _place(&points, cand, city, state)
        if not value > 0.0:
            value = 0.0
        elif not value < 100.0:
            value = 100.0
        out.append(value)
    return out
