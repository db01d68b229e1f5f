# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The compiled twin of reading a search's posting lists from the index file
(`mapped_file.head_without` and `MappedFile.first_in_city_reference`).

A search reads some 47 lists (its keys, and each again within the asked city). In numpy
each is a handful of calls of a microsecond or more whatever the list's length, and with
businesses changed since the file was written (kept in each worker's overlay until the
next file) a few more per list: 0.15 ms a search with none changed, 0.27 with 300 at
100,000 businesses. Here each list is one walk over the mapped ids, the changed ids
(ascending too) walked alongside, stopping once `cap` ids are kept, and the ids kept go
straight into the list the matcher sums. The answers are the reference's
(`tests/search/test_posting_reader.py`).
"""

from libc.stdint cimport int32_t, int64_t

from registry.search_index._sorted cimport first_not_below


cdef inline bint _changed(
    const int32_t[::1] changed, Py_ssize_t *at, int32_t value
) noexcept nogil:
    """Whether `value` is among `changed` (ascending), walking `at` forward: the values
    asked of one walk come in ascending order, so each changed id is passed once."""
    cdef Py_ssize_t m = changed.shape[0]
    while at[0] < m and changed[at[0]] < value:
        at[0] += 1
    return at[0] < m and changed[at[0]] == value


def head(const int32_t[::1] ids, const int32_t[::1] changed, Py_ssize_t cap):
    """The first `cap` of `ids` (ascending) that are not in `changed` (ascending), as a
    list (`cap` < 0: all of them)."""
    return _walk(ids, ids, False, 0, 0, ids.shape[0], changed, cap)


def in_city(
    const int32_t[::1] ids,
    const int32_t[::1] cities,
    int32_t city,
    const int32_t[::1] changed,
    Py_ssize_t cap,
):
    """The first `cap` of `ids` (ascending) whose entry in `cities` (the same length) is
    `city` and that are not in `changed` (ascending), as a list (`cap` < 0: all)."""
    if cities.shape[0] != ids.shape[0]:
        raise ValueError("ids and cities differ in length")
    return _walk(ids, cities, True, city, 0, ids.shape[0], changed, cap)


def heads(
    const int32_t[::1] ids,
    const int64_t[::1] offsets,
    list positions,
    const int32_t[::1] changed,
    Py_ssize_t cap,
    cities=None,
    int32_t city=-1,
):
    """`head` of each list a key's position in the file's key table names
    (ids[offsets[p]:offsets[p + 1]]; an empty list for a position below 0, a key the file
    does not hold), or with `cities` its `in_city` for `city`: a search's ~45 lists in
    one call rather than a few numpy calls each."""
    cdef bint by_city = cities is not None
    cdef const int32_t[::1] in_cities = cities if by_city else ids
    if in_cities.shape[0] != ids.shape[0]:
        raise ValueError("ids and cities differ in length")
    cdef list out = []
    cdef Py_ssize_t p, last = offsets.shape[0] - 1
    for position in positions:
        p = position
        if p < 0:
            out.append([])
            continue
        if p >= last:
            raise IndexError("no such key in the posting lists")
        out.append(_walk(ids, in_cities, by_city, city, offsets[p], offsets[p + 1], changed, cap))
    return out


cdef list _walk(
    const int32_t[::1] ids,
    const int32_t[::1] cities,
    bint by_city,
    int32_t city,
    Py_ssize_t start,
    Py_ssize_t end,
    const int32_t[::1] changed,
    Py_ssize_t cap,
):
    """The first `cap` of ids[start:end] not in `changed` (and with `by_city`, whose entry
    in `cities` is `city`): one walk, the changed ids walked alongside."""
    cdef Py_ssize_t i, at
    cdef list found = []
    if start >= end or cap == 0:
        return found
    at = first_not_below(changed, 0, changed.shape[0], ids[start])
    for i in range(start, end):
        if (by_city and cities[i] != city) or _changed(changed, &at, ids[i]):
            continue
        found.append(ids[i])
        if len(found) == cap:
            break
    return found
