# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled twin of the pre-ranking's sums (`matching.fast.best_by_evidence`, and the
pure-Python loop of `matching.search.pre_rank` it stands for): each id's evidence summed
over a search's posting lists, then the `count` ids of most evidence, lowest ids first
among equals.

The ids go into an open-addressing hash table in C (no Python object per id, where the
numpy path made arrays of every list and sorted them all), each id's gains added in the
order the lists give them (so the sums are bit for bit the Python loop's), and the best
are kept in a heap of `count` entries. `matching.fast` and the Python loop stay the
reference: `tests/matching/test_fast.py` holds the three to the same candidates in the
same order on every query of the dev set and on random lists with ties.
"""

from cpython.list cimport PyList_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport qsort


cdef struct Entry:
    int64_t id
    double evidence
    bint used


cdef inline bint _better(const Entry *x, const Entry *y) noexcept nogil:
    """Whether `x` comes before `y`: more evidence, or as much and a lower id."""
    if x.evidence != y.evidence:
        return x.evidence > y.evidence
    return x.id < y.id


cdef int _in_order(const void *a, const void *b) noexcept nogil:
    cdef const Entry *x = <const Entry *> a
    cdef const Entry *y = <const Entry *> b
    if _better(x, y):
        return -1
    if _better(y, x):
        return 1
    return 0


cdef void _sift_down(Entry *heap, Py_ssize_t size, Py_ssize_t at) noexcept nogil:
    """Restore the heap below `at`: its root is the worst entry kept (the first to go)."""
    cdef Py_ssize_t child
    cdef Entry moving = heap[at]
    while True:
        child = 2 * at + 1
        if child >= size:
            break
        if child + 1 < size and _better(&heap[child], &heap[child + 1]):
            child += 1  # the worse of the two children
        if not _better(&moving, &heap[child]):
            break
        heap[at] = heap[child]
        at = child
    heap[at] = moving


cdef inline uint64_t _slot(int64_t key, int shift) noexcept nogil:
    """The table's slot for an id: the top bits of its product with 2**64 / phi."""
    return ((<uint64_t> key) * <uint64_t> 0x9E3779B97F4A7C15) >> shift


def best_by_evidence(lists, Py_ssize_t count):
    """The `count` ids with the most summed gain over `lists` ((ids, gain) pairs, summed
    in this order), most first, lowest ids first among equals."""
    if count <= 0 or not lists:
        return []
    cdef Py_ssize_t total = 0, n, k, found = 0, kept = 0, limit
    cdef list sequences = []
    cdef double gain
    for ids, gain_of in lists:
        sequence = ids if type(ids) is list else list(ids)
        sequences.append((sequence, float(gain_of)))
        total += PyList_GET_SIZE(sequence)
    if total == 0:
        return []
    cdef uint64_t size = 16, mask, at
    cdef int shift = 60
    while size < <uint64_t> (2 * total):
        size <<= 1
        shift -= 1
    mask = size - 1
    cdef Entry *table = <Entry *> PyMem_Malloc(size * sizeof(Entry))
    cdef Entry *heap = <Entry *> PyMem_Malloc((count if count < total else total) * sizeof(Entry))
    if table == NULL or heap == NULL:
        PyMem_Free(table)
        PyMem_Free(heap)
        raise MemoryError()
    cdef int64_t key
    cdef list sequence_of
    try:
        for at in range(size):
            table[at].used = False
        for sequence_of, gain in sequences:
            n = PyList_GET_SIZE(sequence_of)
            for k in range(n):
                key = sequence_of[k]
                at = _slot(key, shift)
                while table[at].used and table[at].id != key:
                    at = (at + 1) & mask
                if table[at].used:
                    table[at].evidence = table[at].evidence + gain
                else:
                    table[at].used = True
                    table[at].id = key
                    table[at].evidence = 0.0 + gain
                    found += 1
        # the best `count`, in a heap whose root is the worst of those kept
        limit = count if count < found else found
        for at in range(size):
            if not table[at].used:
                continue
            if kept < limit:
                heap[kept] = table[at]
                kept += 1
                if kept == limit:
                    for k in range(limit // 2 - 1, -1, -1):
                        _sift_down(heap, limit, k)
            elif _better(&table[at], &heap[0]):
                heap[0] = table[at]
                _sift_down(heap, limit, 0)
        qsort(heap, kept, sizeof(Entry), _in_order)
        return [heap[k].id for k in range(kept)]
    finally:
        PyMem_Free(table)
        PyMem_Free(heap)
