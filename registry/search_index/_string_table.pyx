# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled twin of `registry.search_index.string_tables`: the file's two hashes of a
string (`hash_all`: FNV-1a over its UTF-8 bytes, then mixed; `first_hash_reference` and
`second_hash_reference` there) and `StringTable.find_many`: each key of a query (a
hundred vocabulary variants, the name keys) found in a mapped string table by its first
hash (its place among the sorted hashes guessed from their spread, then found by
halving: `_guessed_first_not_below`), then checked byte for byte.

The Python functions stay the reference; `tests/search/test_string_table.py` holds the
two to the same hashes and positions, found and missing keys, colliding hashes included.
A key's UTF-8 bytes are read where Python keeps them, without a copy.
"""

import numpy as np

from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.string cimport memcmp

from registry.search_index._sorted cimport first_not_below


cdef extern from *:
    """
    #define KHATA_FNV_PRIME 0x100000001b3ULL
    #define KHATA_FIRST_BASIS 0xcbf29ce484222325ULL
    #define KHATA_SECOND_BASIS 0x6c62272e07bb0142ULL
    #define KHATA_MIX_1 0xff51afd7ed558ccdULL
    #define KHATA_MIX_2 0xc4ceb9fe1a85ec53ULL
    """
    const uint64_t KHATA_FNV_PRIME
    const uint64_t KHATA_FIRST_BASIS
    const uint64_t KHATA_SECOND_BASIS
    const uint64_t KHATA_MIX_1
    const uint64_t KHATA_MIX_2


cdef extern from "Python.h":
    const char* PyUnicode_AsUTF8AndSize(object text, Py_ssize_t* size) except NULL


cdef inline uint64_t _mixed(uint64_t h) noexcept nogil:
    h ^= h >> 33
    h *= KHATA_MIX_1
    h ^= h >> 33
    h *= KHATA_MIX_2
    h ^= h >> 33
    return h


cdef inline uint64_t _first(const unsigned char* text, Py_ssize_t length) noexcept nogil:
    cdef uint64_t h = KHATA_FIRST_BASIS
    cdef Py_ssize_t i
    for i in range(length):
        h = (h ^ text[i]) * KHATA_FNV_PRIME
    return _mixed(h)


cdef inline uint64_t _second(const unsigned char* text, Py_ssize_t length) noexcept nogil:
    cdef uint64_t h = KHATA_SECOND_BASIS
    cdef Py_ssize_t i
    for i in range(length - 1, -1, -1):
        h = (h ^ text[i]) * KHATA_FNV_PRIME
    return _mixed(h)


def hash_all(raws, bint second=False):
    """The first (or second) hash of each of these byte strings, as a uint64 array
    (`string_tables.first_hash_reference`, `second_hash_reference`)."""
    out = np.empty(len(raws), dtype=np.uint64)
    cdef uint64_t[::1] view = out
    cdef Py_ssize_t i = 0
    cdef bytes raw
    for raw in raws:
        if second:
            view[i] = _second(<const unsigned char*><const char*>raw, len(raw))
        else:
            view[i] = _first(<const unsigned char*><const char*>raw, len(raw))
        i += 1
    return out


cdef enum:
    # Guesses from the hashes' spread before halving: each narrows a table of uniform
    # hashes from n entries to about the square root of n.
    GUESSES = 4
    # A range this short is halved at once (its entries share a few cache lines).
    SHORT = 16


cdef Py_ssize_t _guessed_first_not_below(
    const uint64_t[::1] hashes, Py_ssize_t size, uint64_t wanted
) noexcept nogil:
    """The first position whose hash is not below `wanted` (`size` if none), as numpy's
    `searchsorted` finds it. The hashes are mixed (`_mixed`), spread evenly over 64 bits,
    so the position is first guessed from where `wanted` lies between the range's ends
    (interpolation), up to `GUESSES` times, then halved (`_sorted.first_not_below`). A
    plain binary search of a million hashes reads some 20 places far apart in the mapped
    file, each a miss of the processor's caches; the guesses land within a few thousand
    entries of the place, then within a few, so the halving that follows stays on a few
    pages. Hashes that are not spread evenly cost at most the guesses more."""
    cdef Py_ssize_t low = 0, high = size, middle
    cdef uint64_t first, last
    cdef int guesses = 0
    while high - low > SHORT and guesses < GUESSES:
        first, last = hashes[low], hashes[high - 1]
        if wanted <= first:
            return low
        if wanted > last:
            return high
        # first < wanted <= last: the first position not below lies in (low, high - 1]
        middle = low + <Py_ssize_t>(
            <double>(wanted - first) / <double>(last - first) * <double>(high - 1 - low)
        )
        if middle <= low:
            middle = low + 1
        elif middle > high - 1:
            middle = high - 1
        if hashes[middle] < wanted:
            low = middle + 1
        else:
            high = middle
        guesses += 1
    return first_not_below(hashes, low, high, wanted)


def find_many(
    keys,
    const uint64_t[::1] hashes,
    const uint8_t[::1] data,
    const int64_t[::1] offsets,
):
    """Each key's position in the table (hashes ascending; the keys' UTF-8 bytes in
    `data` at `offsets`), or -1."""
    cdef Py_ssize_t size = hashes.shape[0]
    cdef Py_ssize_t at, found, length
    cdef uint64_t wanted
    cdef const char* text
    cdef const uint8_t* stored = &data[0] if data.shape[0] else NULL
    out = []
    for key in keys:
        text = PyUnicode_AsUTF8AndSize(key, &length)
        wanted = _first(<const unsigned char*>text, length)
        at, found = _guessed_first_not_below(hashes, size, wanted), -1
        while at < size and hashes[at] == wanted:
            if offsets[at + 1] - offsets[at] == length and (
                length == 0 or memcmp(stored + offsets[at], text, length) == 0
            ):
                found = at
                break
            at += 1
        out.append(found)
    return out


def pairs_at(ats, const uint8_t[::1] data, const int64_t[::1] offsets, str between, str within):
    """`file_encoding.decode_pairs` of the UTF-8 string at each of these positions of a
    blob (its bytes in `data` at `offsets`), None for a position below 0: the vocabulary
    rows found under a query word's variants, some 15 a search new to the worker, each
    read in Python through a memoryview's slice, a `bytes`, a decode and the split."""
    cdef Py_ssize_t at
    cdef int64_t start, end
    cdef const uint8_t* stored = &data[0] if data.shape[0] else NULL
    out = []
    for position in ats:
        at = position
        if at < 0:
            out.append(None)
            continue
        start, end = offsets[at], offsets[at + 1]
        if end == start:
            out.append(())
            continue
        text = (<const char*> (stored + start))[: end - start].decode("utf-8")
        pairs = []
        for item in text.split(between):
            spelling, apart, word = item.partition(within)
            pairs.append((spelling, word) if apart else (spelling, spelling))
        out.append(tuple(pairs))
    return out
