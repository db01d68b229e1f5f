# cython: language_level=3, boundscheck=False, wraparound=False
"""The compiled twin of reading a candidate from the index file
(`mapped_file.MappedFile.candidate_reference`: its line, `mapped_file._candidate` and
`NormalName.decode`).

A search reads about 110 candidates, and in Python each took some 3 to 4 microseconds,
most of it not the reading but the calls: the frozen dataclasses' fields are set through
their slots' descriptors, a call each (13 a candidate). Here the line is read from the
mapped bytes and split with the same string functions, and each field is stored through
the slot's own member definition (`PyMember_SetOne`, what the descriptor's `__set__`
calls), with no call in between. The objects made are the reference's, field for field
(`tests/search/test_candidate_reader.py` holds the two equal on every business of an
index file). Unlike the reference's, they are left out of the garbage collector's
tracking (`_untrack`).
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport int32_t, int64_t

from types import MemberDescriptorType

from registry.search_index.kept_answers import MISSING


cdef extern from "structmember.h":
    ctypedef struct PyMemberDef:
        pass

    int PyMember_SetOne(char *address, PyMemberDef *member, object value) except -1


cdef extern from "Python.h":
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member

    void PyObject_GC_UnTrack(void *op)


cdef enum:
    NAME_FIELDS = 8
    CANDIDATE_FIELDS = 5


cdef str FIELD = "\x1f"
cdef str SPACE = " "


cdef inline void _untrack(obj) noexcept:
    """Leave `obj` to reference counting alone: a candidate, its names and their tuples and
    sets hold only strings, numbers and each other, never anything that could lead back,
    so they can be in no reference cycle. Tracked, the thousands a worker keeps
    (`mapped_copy.CANDIDATES_KEPT`) were walked by every full collection of the garbage
    collector, and each search's new ones moved it closer to the next (untracking an
    object twice, or one never tracked, is harmless)."""
    PyObject_GC_UnTrack(<void *> obj)


cdef void _members(cls, tuple names, PyMemberDef **out) except *:
    """The member definitions of these slots of a slotted class, in order."""
    cdef int k = 0
    for name in names:
        descriptor = cls.__dict__.get(name)
        if type(descriptor) is not MemberDescriptorType:
            raise TypeError(f"{cls.__name__}.{name} is not a slot")
        out[k] = (<PyMemberDescrObject *> descriptor).d_member
        k += 1


cdef class CandidateReader:
    """`candidate(business_id)` of one index file: its candidate, or None."""

    cdef const unsigned char[::1] data
    cdef const int64_t[::1] offsets
    cdef const int32_t[::1] positions
    cdef object name_class, candidate_class, new, no_initials, separator, size
    cdef PyMemberDef *name_slots[NAME_FIELDS]
    cdef PyMemberDef *candidate_slots[CANDIDATE_FIELDS]

    def __init__(
        self,
        data,
        offsets,
        positions,
        name_class,
        candidate_class,
        no_initials,
        str separator,
    ):
        self.data = data
        self.offsets = offsets
        self.positions = positions
        self.size = len(positions)
        self.name_class = name_class
        self.candidate_class = candidate_class
        self.new = object.__new__
        self.no_initials = no_initials
        self.separator = separator
        _members(
            name_class,
            (
                "core",
                "tokens",
                "folded_tokens",
                "spelled_tokens",
                "legal_form",
                "city_hint",
                "owner",
                "initials",
            ),
            self.name_slots,
        )
        _members(candidate_class, ("id", "name", "city", "state", "aliases"), self.candidate_slots)

    def __call__(self, business_id):
        return self._read(business_id, None)

    def kept_or_read(self, ids, kept, changed, overlaid, set words):
        """What `MappedIndexCopy.candidates` does for each of `ids`, ascending: a business
        changed since the file was written is made by `overlaid(business_id)` (a dict of
        candidates by id, or None); any other is found in `kept` (a `Recent`, looked up and
        renewed as its `get` and `put` do) or read here and kept there. Returns the
        candidates found, by id in that order; the folded words of the names read afresh
        or made by `overlaid` are added to `words` unless it is None."""
        cdef dict found = {}, newer = kept.newer, older = kept.older, made
        cdef Py_ssize_t half = kept.half
        for business_id in sorted(ids):
            if business_id in changed:
                made = overlaid(business_id) or {}
                found.update(made)
                if words is not None:
                    for candidate in made.values():
                        for name in (candidate.name, *candidate.aliases):
                            words.update(name.folded_tokens)
                continue
            candidate = newer.get(business_id, MISSING)
            if candidate is MISSING:
                candidate = older.get(business_id, MISSING)
                if candidate is MISSING:
                    candidate = self._read(business_id, words)
                if len(newer) >= half:  # the newer half full: it becomes the older
                    kept.older, kept.newer = newer, {}
                    older, newer = newer, kept.newer
                newer[business_id] = candidate
            if candidate is not None:
                found[business_id] = candidate
        return found

    cdef object _read(self, business_id, set into):
        """The candidate of `business_id`, or None; the folded words of its names added
        to `into` unless it is None."""
        if not 0 <= business_id < self.size:
            return None
        cdef Py_ssize_t bid = business_id
        cdef int64_t at = self.positions[bid]
        if at < 0:
            return None
        cdef int64_t start = self.offsets[at], end = self.offsets[at + 1]
        line = PyUnicode_DecodeUTF8(<const char *> &self.data[start], end - start, NULL)
        parts = line.split(self.separator)
        if len(parts) < 3:
            raise ValueError(f"a candidate line of {len(parts)} fields")
        city, state, own = parts[0], parts[1], parts[2]
        name = self._name(own, into)
        aliases = (
            tuple([self._name(alias, into) for alias in parts[3:]]) if len(parts) > 3 else ()
        )
        candidate = self.new(self.candidate_class)
        cdef char *address = <char *> <void *> candidate
        PyMember_SetOne(address, self.candidate_slots[0], business_id)
        PyMember_SetOne(address, self.candidate_slots[1], name)
        PyMember_SetOne(address, self.candidate_slots[2], city or None)
        PyMember_SetOne(address, self.candidate_slots[3], state or None)
        PyMember_SetOne(address, self.candidate_slots[4], aliases)
        _untrack(aliases)
        _untrack(candidate)
        return candidate

    cdef object _name(self, str line, set into):
        """`NormalName.decode(line)`; its folded words added to `into` unless None."""
        fields = line.split(FIELD)
        if len(fields) != NAME_FIELDS:
            raise ValueError(f"a normal name of {len(fields)} fields")
        cdef str core = fields[0], tokens = fields[1], folded = fields[2], spelled = fields[3]
        cdef str legal = fields[4], city = fields[5], owner = fields[6], initials = fields[7]
        words = tuple(tokens.split(SPACE)) if tokens else ()
        folded_words = words if folded == tokens else (
            tuple(folded.split(SPACE)) if folded else ()
        )
        if into is not None:
            into.update(folded_words)
        spelled_words = words if spelled == tokens else (
            tuple(spelled.split(SPACE)) if spelled else ()
        )
        name = self.new(self.name_class)
        cdef char *address = <char *> <void *> name
        PyMember_SetOne(address, self.name_slots[0], core)
        PyMember_SetOne(address, self.name_slots[1], words)
        PyMember_SetOne(address, self.name_slots[2], folded_words)
        PyMember_SetOne(address, self.name_slots[3], spelled_words)
        PyMember_SetOne(address, self.name_slots[4], legal or None)
        PyMember_SetOne(address, self.name_slots[5], city or None)
        PyMember_SetOne(address, self.name_slots[6], owner or None)
        marks = frozenset(initials.split(SPACE)) if initials else self.no_initials
        PyMember_SetOne(address, self.name_slots[7], marks)
        _untrack(words)
        _untrack(folded_words)
        _untrack(spelled_words)
        _untrack(marks)
        _untrack(name)
        return name
