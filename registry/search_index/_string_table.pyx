# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled twin of `registry.search_index.string_tables.StringTable.find_many`: each key
of a query (a hundred vocabulary variants, the name keys) found in a mapped string table
by its 64-bit hash (its place among the sorted hashes guessed from their spread, then
found by halving: `_guessed_first_not_below`), then checked byte for byte.

The Python method stays the reference; `tests/search/test_string_table.py` holds the
two to the same positions, found and missing keys, colliding hashes included. The hash is
the file's own (`string_tables.file_hash`: BLAKE2b, 8 bytes, little-endian), computed by
hashlib here too, so a file reads the same either way.
"""

from hashlib import blake2b

from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.string cimport memcmp

from registry.search_index._sorted cimport first_not_below


cdef inline uint64_t _little(const unsigned char* digest):
    cdef uint64_t value = 0
    cdef int i
    for i in range(7, -1, -1):
        value = (value << 8) | digest[i]
    return value


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
    `searchsorted` finds it. The hashes are BLAKE2b's, spread evenly over 64 bits, so the
    position is first guessed from where `wanted` lies between the range's ends
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
    cdef bytes raw, digest
    cdef const char* text
    cdef const uint8_t* stored = &data[0] if data.shape[0] else NULL
    out = []
    for key in keys:
        raw = key.encode()
        digest = blake2b(raw, digest_size=8).digest()
        wanted = _little(<const unsigned char*>digest)
        at, found = _guessed_first_not_below(hashes, size, wanted), -1
        text = raw
        length = len(raw)
        while at < size and hashes[at] == wanted:
            if offsets[at + 1] - offsets[at] == length and (
                length == 0 or memcmp(stored + offsets[at], text, length) == 0
            ):
                found = at
                break
            at += 1
        out.append(found)
    return out
