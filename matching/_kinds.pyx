# cython: language_level=3, boundscheck=False, wraparound=False
"""The compiled twin of `matching.kinds.validate_gstin`'s acceptance: whether a compact
GSTIN passes every check python-stdnum makes (shape, state code, entity number, the "Z",
the PAN inside it, the Luhn mod 36 check character), in one pass over its 15 characters;
and of `validate_pan`'s (`accepts_pan`: shape, holder letter, serial).

It only ever says yes or no. A no goes to the reference (stdnum), which says why; stdnum
cleans and re-checks a number three to four times (1M rows of an import spent some 16 s
of CPU there). The tables it checks against are not written here: `configure` takes the
state codes and PAN holder letters the reference itself accepts (`matching.kinds` asks it
for each), and `tests/matching/test_kinds_twin.py` holds the two to the same answer on
every GSTIN of the dev set and on generated near-misses of each kind.
"""

cdef bint _states[100]
cdef bint _holders[26]
cdef bint _configured = False


def configure(states, holders):
    """The two-digit state codes and the PAN holder letters (4th of the PAN) to accept."""
    global _configured
    cdef int k
    for k in range(100):
        _states[k] = False
    for k in range(26):
        _holders[k] = False
    for code in states:
        _states[int(code)] = True
    for letter in holders:
        _holders[ord(letter) - 65] = True
    _configured = True


cdef inline int _value(Py_UCS4 c) noexcept:
    """The character's place in 0-9A-Z (-1 for any other character)."""
    cdef long code = <long> c
    if 48 <= code <= 57:
        return code - 48
    if 65 <= code <= 90:
        return code - 55
    return -1


cdef bint _read(str number, int *v, Py_ssize_t length):
    """Each character's place in 0-9A-Z into `v`; False unless the table is configured,
    `number` has `length` characters and all of them are of 0-9A-Z."""
    cdef Py_ssize_t i
    if not _configured or len(number) != length:
        return False
    for i in range(length):
        v[i] = _value(number[i])
        if v[i] < 0:
            return False
    return True


def accepts(str number) -> bool:
    """Whether the reference would accept `number` as it is (already compact)."""
    cdef int v[15]
    cdef int i, total = 0, doubled
    if not _read(number, v, 15):
        return False
    # Shape: 2 digits, 5 letters, 4 digits, a letter, then three of 0-9A-Z.
    for i in (0, 1, 7, 8, 9, 10):
        if v[i] > 9:
            return False
    for i in (2, 3, 4, 5, 6, 11):
        if v[i] < 10:
            return False
    if not _states[v[0] * 10 + v[1]]:
        return False
    if v[12] == 0 or v[13] != 35:  # the entity number is never 0; then a "Z"
        return False
    if not _holders[v[5] - 10]:  # the PAN's 4th letter: who holds it
        return False
    if v[7] == 0 and v[8] == 0 and v[9] == 0 and v[10] == 0:  # the PAN's serial
        return False
    # Luhn mod 36 from the right: the last character counts once, the one before doubled.
    for i in range(15):
        if i % 2 == 0:
            total += v[i]
        else:
            doubled = 2 * v[i]
            total += doubled // 36 + doubled % 36
    return total % 36 == 0


def accepts_pan(str number) -> bool:
    """Whether the reference would accept `number` as a PAN as it is (already compact)."""
    cdef int v[10]
    cdef int i
    if not _read(number, v, 10):
        return False
    for i in (0, 1, 2, 3, 4, 9):
        if v[i] < 10:
            return False
    for i in (5, 6, 7, 8):
        if v[i] > 9:
            return False
    if not _holders[v[3] - 10]:
        return False
    return not (v[5] == 0 and v[6] == 0 and v[7] == 0 and v[8] == 0)
