# cython: language_level=3
"""Halving search over an ascending array, shared by the compiled look-ups of the index
file (`_postings.pyx` over business ids, `_string_table.pyx` over 64-bit hashes)."""

from libc.stdint cimport int32_t, uint64_t


ctypedef fused ascending:
    int32_t
    uint64_t


cdef inline Py_ssize_t first_not_below(
    const ascending[::1] values, Py_ssize_t low, Py_ssize_t high, ascending value
) noexcept nogil:
    """The first position of values[low:high] (ascending) not below `value`, or `high`
    when every one is below it."""
    cdef Py_ssize_t middle
    while low < high:
        middle = (low + high) >> 1
        if values[middle] < value:
            low = middle + 1
        else:
            high = middle
    return low
