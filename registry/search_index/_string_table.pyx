# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled twin of `registry.search_index.string_tables.StringTable.find_many`: each key
of a query (a hundred vocabulary variants, the name keys) found in a mapped string table
by its 64-bit hash (a binary search over the sorted hashes), then checked byte for byte.

The Python method stays the reference; `tests/search/test_string_table.py` holds the
two to the same positions, found and missing keys, colliding hashes included. The hash is
the file's own (`string_tables.file_hash`: BLAKE2b, 8 bytes, little-endian), computed by
hashlib here too, so a file reads the same either way.
"""

from hashlib import blake2b

from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.string cimport memcmp


cdef inline uint64_t _little(const unsigned char* digest):
    cdef uint64_t value = 0
    cdef int i
    for i in range(7, -1, -1):
        value = (value << 8) | digest[i]
    return value


def find_many(
    keys,
    const uint64_t[::1] hashes,
    const uint8_t[::1] data,
    const int64_t[::1] offsets,
):
    """Each key's position in the table (hashes ascending; the keys' UTF-8 bytes in
    `data` at `offsets`), or -1."""
    cdef Py_ssize_t size = hashes.shape[0]
    cdef Py_ssize_t low, high, middle, at, found, length
    cdef uint64_t wanted
    cdef bytes raw, digest
    cdef const char* text
    cdef const uint8_t* stored = &data[0] if data.shape[0] else NULL
    out = []
    for key in keys:
        raw = key.encode()
        digest = blake2b(raw, digest_size=8).digest()
        wanted = _little(<const unsigned char*>digest)
        low, high = 0, size
        while low < high:
            middle = (low + high) >> 1
            if hashes[middle] < wanted:
                low = middle + 1
            else:
                high = middle
        at, found = low, -1
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
