# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled twin of `matching.similarity._token_similarity`: how alike two folded
tokens are, 0..1.

A search's scorer asks some 500 token pairs, and with the queries of a busy day (each
new) about 200 of them were new to the memo that kept the answers (`TOKEN_PAIRS`). In
Python each took about a microsecond (rapidfuzz's call, the skeletons, the sorted
letters) and the memo's book-keeping as much again. Here the edit distance, the prefix,
the skeletons and the sorted letters are worked out on the characters copied to the
stack, with no string made, in about 0.2 microseconds: less than looking the pair up, so
the compiled scorer (`matching._align`) asks this directly and the memo only serves the
Python callers. The rare rule (a typo in a short form) is handed back to the reference's
`garbled_short_form`. The answers are the reference's exactly (the same integer
distance, the same division): `tests/matching/test_similarity_twin.py` holds the two
equal on random tokens and on the pairs of the dev set's words, and
`tests/matching/test_compiled.py` the compiled scorer to the reference on every query.
"""

from rapidfuzz.distance import OSA

# Tokens this long or longer are worked out by the reference (names have none: the longest
# folded token of the dev set has 20 letters).
cdef enum:
    ROOM = 48

cdef double PREFIX_WORD = 0.8
cdef double PREFIX_CONSONANTS = 0.75
cdef double SAME_SKELETON = 0.7
cdef double SAME_CONSONANTS = 0.85
cdef double LEAST = 0.5


cdef inline bint _vowel(Py_UCS4 c) noexcept:
    """One of `matching.phonetic`'s vowels ("aeiouy")."""
    return c == u"a" or c == u"e" or c == u"i" or c == u"o" or c == u"u" or c == u"y"


cdef int _osa(const Py_UCS4 *a, int la, const Py_UCS4 *b, int lb) noexcept:
    """`rapidfuzz.distance.OSA.distance(a, b)`: the optimal string alignment distance
    (insertions, deletions, substitutions and swaps of neighbours, each part edited once),
    three rows of the table on the stack; both shorter than ROOM."""
    cdef int i, j, v
    if la == 0:
        return lb
    if lb == 0:
        return la
    cdef int r0[ROOM + 1]
    cdef int r1[ROOM + 1]
    cdef int r2[ROOM + 1]
    cdef int *before = r0
    cdef int *above = r1
    cdef int *now = r2
    cdef int *spare
    cdef Py_UCS4 ai
    for j in range(lb + 1):
        above[j] = j
    for i in range(1, la + 1):
        ai = a[i - 1]
        now[0] = i
        for j in range(1, lb + 1):
            v = above[j - 1] + (0 if ai == b[j - 1] else 1)
            if above[j] + 1 < v:
                v = above[j] + 1
            if now[j - 1] + 1 < v:
                v = now[j - 1] + 1
            if (
                i > 1
                and j > 1
                and ai == b[j - 2]
                and a[i - 2] == b[j - 1]
                and before[j - 2] + 1 < v
            ):
                v = before[j - 2] + 1
            now[j] = v
        spare = before
        before = above
        above = now
        now = spare
    return above[lb]


def distance(str a, str b) -> int:
    """`_osa` of two strings (rapidfuzz's for the long ones), as the twin computes it."""
    if len(a) >= ROOM or len(b) >= ROOM:
        return OSA.distance(a, b)
    cdef Py_UCS4 ca[ROOM]
    cdef Py_UCS4 cb[ROOM]
    return _osa(ca, _letters(a, ca), cb, _letters(b, cb))


cdef int _skeleton(const Py_UCS4 *s, int n, Py_UCS4 *out) noexcept:
    """`matching.phonetic.skeleton` of a token of 3 letters or more, into `out`: the
    first letter, then the other consonants, a letter repeated next to itself once."""
    cdef int i, k = 1
    cdef Py_UCS4 ch
    out[0] = s[0]
    for i in range(1, n):
        ch = s[i]
        if not _vowel(ch) and ch != out[k - 1]:
            out[k] = ch
            k += 1
    return k


cdef bint _same_skeleton(const Py_UCS4 *a, int la, const Py_UCS4 *b, int lb) noexcept:
    """`len(skeleton(a)) >= 3 and skeleton(a) == skeleton(b)`, both 3 letters or more."""
    cdef Py_UCS4 sa[ROOM]
    cdef Py_UCS4 sb[ROOM]
    cdef int na = _skeleton(a, la, sa), nb, i
    if na < 3:
        return False
    nb = _skeleton(b, lb, sb)
    if na != nb:
        return False
    for i in range(na):
        if sa[i] != sb[i]:
            return False
    return True


cdef void _sort(Py_UCS4 *letters, int n) noexcept:
    cdef int i, j
    cdef Py_UCS4 c
    for i in range(1, n):
        c = letters[i]
        j = i - 1
        while j >= 0 and letters[j] > c:
            letters[j + 1] = letters[j]
            j -= 1
        letters[j + 1] = c


cdef bint _same_letters(const Py_UCS4 *a, const Py_UCS4 *b, int n) noexcept:
    """`sorted(a) == sorted(b)` for two tokens of `n` letters."""
    cdef Py_UCS4 la[ROOM]
    cdef Py_UCS4 lb[ROOM]
    cdef int i
    for i in range(n):
        la[i] = a[i]
        lb[i] = b[i]
    _sort(la, n)
    _sort(lb, n)
    for i in range(n):
        if la[i] != lb[i]:
            return False
    return True


cdef bint _any_vowel(const Py_UCS4 *s, int n) noexcept:
    """`matching.phonetic.has_vowel`."""
    cdef int i
    for i in range(n):
        if _vowel(s[i]):
            return True
    return False


cdef int _letters(str s, Py_UCS4 *out) noexcept:
    """The characters of `s` (shorter than ROOM) into `out`; its length."""
    cdef int n = 0
    cdef Py_UCS4 c
    for c in s:
        out[n] = c
        n += 1
    return n


cdef class TokenSimilarity:
    """`_token_similarity` as a callable: `short_forms` and `garbled_short_form` are the
    reference's own (`matching.similarity.SHORT_FORMS` and the function), handed in so
    that this module imports nothing of `matching.similarity`, which builds its memo with
    it."""

    def __init__(self, dict short_forms, garbled, double garbled_value):
        self.short_forms = short_forms
        self.garbled = garbled
        self.garbled_value = garbled_value

    def __call__(self, str a, str b):
        return self.similarity(a, b)

    cpdef double similarity(self, str a, str b) except -1.0:
        """How alike two folded tokens are, 0..1 (`_token_similarity`'s rules, in its
        order)."""
        if a == b:
            return 1.0
        cdef int len_a = len(a), len_b = len(b), n_short, i
        if len_a >= ROOM or len_b >= ROOM:
            return self._long(a, b)
        cdef int longest = len_a if len_a > len_b else len_b
        cdef double sim
        cdef Py_UCS4 ca[ROOM]
        cdef Py_UCS4 cb[ROOM]
        _letters(a, ca)
        _letters(b, cb)
        if 2 * (longest - (len_b if len_a > len_b else len_a)) > longest:
            # at least that many edits, so under 0.5 whatever the distance: no rule below
            # tells one value under 0.5 from another
            sim = 0.0
        else:
            sim = 1.0 - <double> _osa(ca, len_a, cb, len_b) / <double> longest
            if sim >= 0.85:
                return sim
        cdef Py_UCS4 *shorter = &ca[0] if len_a <= len_b else &cb[0]
        cdef Py_UCS4 *longer = &cb[0] if len_a <= len_b else &ca[0]
        n_short = len_a if len_a <= len_b else len_b
        cdef bint prefix = True
        for i in range(n_short):
            if shorter[i] != longer[i]:
                prefix = False
                break
        if prefix:
            if n_short >= 3 and _any_vowel(longer, longest) and sim < PREFIX_WORD:
                sim = PREFIX_WORD
            if n_short >= 2 and not _any_vowel(shorter, n_short) and sim < PREFIX_CONSONANTS:
                sim = PREFIX_CONSONANTS
        if len_a >= 3 and len_b >= 3:
            if sim < SAME_SKELETON and _same_skeleton(ca, len_a, cb, len_b):
                sim = SAME_SKELETON
            if (
                sim < SAME_CONSONANTS
                and len_a == len_b
                and not (_any_vowel(ca, len_a) or _any_vowel(cb, len_b))
                and _same_letters(ca, cb, len_a)
            ):
                sim = SAME_CONSONANTS
        if sim < self.garbled_value and (
            (2 <= len_a <= 3 and b in self.short_forms and self.garbled(a, b))
            or (2 <= len_b <= 3 and a in self.short_forms and self.garbled(b, a))
        ):
            sim = self.garbled_value
        return sim if sim >= LEAST else 0.0

    cdef double _long(self, str a, str b) except -1.0:
        """A token too long for the arrays on the stack: the reference's answer."""
        from matching.similarity import _token_similarity

        return _token_similarity(a, b)
