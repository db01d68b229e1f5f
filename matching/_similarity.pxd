# The compiled token similarity's class, for `matching._align` to call in C.

cdef class TokenSimilarity:
    cdef dict short_forms
    cdef object garbled
    cdef double garbled_value

    cpdef double similarity(self, str a, str b) except -1.0
    cdef double _long(self, str a, str b) except -1.0
