# cython: language_level=3, boundscheck=False, wraparound=False
"""The compiled twin of reading a candidate from the index file
(`mapped_file.MappedFile.candidate_reference`: its line, `mapped_file._candidate` and
`NormalName.decode`).

A search reads about 110 candidates, and in Python each took some 3 to 4 microseconds,
most of it not the reading but the calls: the frozen dataclasses' fields are set through
their slots' descriptors, a call each (13 a candidate). Here each field is found in the
mapped bytes by its separator (ASCII, so never inside a character's UTF-8 bytes) and only
the strings kept are decoded, with no decoded line, no list of fields and no field string
made only to be split again (a fifth fewer instructions a candidate than splitting the
decoded line, counted at a million businesses); each field is stored through the slot's
own member definition (`PyMember_SetOne`, what the descriptor's `__set__` calls), with no
call in between. The objects made are the reference's, field for field
(`tests/search/test_candidate_reader.py` holds the two equal on every business of an
index file). Unlike the reference's, they are left out of the garbage collector's
tracking (`_untrack`).
"""

from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport int32_t, int64_t
from libc.string cimport memcmp

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


#: The separators of a name's fields and of its words (`NormalName.encode`): ASCII.
cdef unsigned char FIELD_BYTE = 0x1F
cdef unsigned char SPACE_BYTE = 0x20


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
    cdef object name_class, candidate_class, new, no_initials, size
    cdef unsigned char separator_byte
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
        if len(separator) != 1 or ord(separator) > 0x7F:
            raise ValueError("the candidate lines' separator must be one ASCII character")
        self.separator_byte = ord(separator)
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

    def kept_or_read(self, ids, kept, seen, changed, overlaid, set words):
        """What `MappedIndexCopy.candidates` does for each of `ids`, ascending: a business
        changed since the file was written is made by `overlaid(business_id)` (a dict of
        candidates by id, or None); any other is found in `kept` (a `Recent`, looked up and
        renewed as its `get` and `put` do) or read here, and then kept there if its id is
        in `seen` (a `Recent` of the ids read once), else its id put in `seen`. Returns the
        candidates found, by id in that order; the folded words of the names read afresh
        or made by `overlaid` are added to `words` unless it is None."""
        cdef dict found = {}, newer = kept.newer, older = kept.older, made
        cdef dict seen_newer = seen.newer, seen_older = seen.older
        cdef Py_ssize_t half = kept.half, seen_half = seen.half
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
                    if business_id not in seen_newer and business_id not in seen_older:
                        if len(seen_newer) >= seen_half:  # as `Recent.put`
                            seen.older, seen.newer = seen_newer, {}
                            seen_older, seen_newer = seen_newer, seen.newer
                        seen_newer[business_id] = True
                        if candidate is not None:
                            found[business_id] = candidate
                        continue
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
        cdef const unsigned char *line = &self.data[start]
        cdef Py_ssize_t size = end - start
        # the line's fields (city, state, own name, aliases), found by their separator in
        # one walk; fewer than three (no second separator) is not a candidate line
        cdef unsigned char separator = self.separator_byte
        cdef Py_ssize_t k
        cdef Py_ssize_t first = _field_end(line, 0, size, separator)
        cdef Py_ssize_t second = size
        if first < size:
            second = _field_end(line, first + 1, size, separator)
        if second >= size:
            raise ValueError(f"a candidate line of {_count(line, 0, size, separator)} fields")
        cdef Py_ssize_t third = _field_end(line, second + 1, size, separator)
        city = _text(line, 0, first)
        state = _text(line, first + 1, second)
        name = self._name(line, second + 1, third, into)
        cdef list alias_names
        if third < size:  # aliases follow
            alias_names = []
            while third < size:
                k = third + 1
                third = _field_end(line, k, size, separator)
                alias_names.append(self._name(line, k, third, into))
            aliases = tuple(alias_names)
        else:
            aliases = ()
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

    cdef object _name(
        self, const unsigned char *line, Py_ssize_t start, Py_ssize_t end, set into
    ):
        """`NormalName.decode` of the encoded name at line[start:end]; its folded words
        added to `into` unless None. Each field is decoded on its own, straight from the
        bytes (the separators are ASCII: never inside a character's UTF-8 bytes), and a
        words field spelled like `tokens` shares its tuple, as there."""
        cdef Py_ssize_t bounds[NAME_FIELDS + 1]
        cdef Py_ssize_t n = 1, k
        bounds[0] = start - 1
        for k in range(start, end):
            if line[k] == FIELD_BYTE:
                if n == NAME_FIELDS:
                    n += 1
                    break
                bounds[n] = k
                n += 1
        if n != NAME_FIELDS:
            raise ValueError(f"a normal name of {_count(line, start, end, FIELD_BYTE)} fields")
        bounds[NAME_FIELDS] = end
        core = _text(line, start, bounds[1])
        words = _words(line, bounds[1] + 1, bounds[2])
        folded_words = (
            words
            if _same(line, bounds[1] + 1, bounds[2], bounds[2] + 1, bounds[3])
            else _words(line, bounds[2] + 1, bounds[3])
        )
        if into is not None:
            into.update(folded_words)
        spelled_words = (
            words
            if _same(line, bounds[1] + 1, bounds[2], bounds[3] + 1, bounds[4])
            else _words(line, bounds[3] + 1, bounds[4])
        )
        name = self.new(self.name_class)
        cdef char *address = <char *> <void *> name
        PyMember_SetOne(address, self.name_slots[0], core)
        PyMember_SetOne(address, self.name_slots[1], words)
        PyMember_SetOne(address, self.name_slots[2], folded_words)
        PyMember_SetOne(address, self.name_slots[3], spelled_words)
        PyMember_SetOne(address, self.name_slots[4], _text_or_none(line, bounds[4] + 1, bounds[5]))
        PyMember_SetOne(address, self.name_slots[5], _text_or_none(line, bounds[5] + 1, bounds[6]))
        PyMember_SetOne(address, self.name_slots[6], _text_or_none(line, bounds[6] + 1, bounds[7]))
        marks = (
            frozenset(_words(line, bounds[7] + 1, end))
            if end > bounds[7] + 1
            else self.no_initials
        )
        PyMember_SetOne(address, self.name_slots[7], marks)
        _untrack(words)
        _untrack(folded_words)
        _untrack(spelled_words)
        _untrack(marks)
        _untrack(name)
        return name


cdef inline Py_ssize_t _field_end(
    const unsigned char *line, Py_ssize_t start, Py_ssize_t size, unsigned char separator
) noexcept:
    """Where the field from `start` ends: its separator, or the line's end."""
    cdef Py_ssize_t k = start
    while k < size and line[k] != separator:
        k += 1
    return k


cdef Py_ssize_t _count(
    const unsigned char *line, Py_ssize_t start, Py_ssize_t end, unsigned char separator
) noexcept:
    """How many fields `separator` splits line[start:end] into."""
    cdef Py_ssize_t count = 1, k
    for k in range(start, end):
        if line[k] == separator:
            count += 1
    return count


cdef inline str _text(const unsigned char *line, Py_ssize_t start, Py_ssize_t end):
    """line[start:end] decoded."""
    return PyUnicode_DecodeUTF8(<const char *> &line[start], end - start, NULL)


cdef inline object _text_or_none(const unsigned char *line, Py_ssize_t start, Py_ssize_t end):
    """line[start:end] decoded, None when empty (`field or None`)."""
    return None if end <= start else _text(line, start, end)


cdef inline bint _same(
    const unsigned char *line, Py_ssize_t a, Py_ssize_t a_end, Py_ssize_t b, Py_ssize_t b_end
) noexcept:
    """Whether line[a:a_end] and line[b:b_end] hold the same bytes."""
    return a_end - a == b_end - b and memcmp(&line[a], &line[b], a_end - a) == 0


cdef tuple _words(const unsigned char *line, Py_ssize_t start, Py_ssize_t end):
    """`tuple(text.split(" ")) if text else ()` of the text at line[start:end]."""
    if end <= start:
        return ()
    cdef Py_ssize_t n = _count(line, start, end, SPACE_BYTE), k, at = start, stop
    cdef tuple words = PyTuple_New(n)
    for k in range(n):
        stop = _field_end(line, at, end, SPACE_BYTE)
        word = PyUnicode_DecodeUTF8(<const char *> &line[at], stop - at, NULL)
        Py_INCREF(word)
        PyTuple_SET_ITEM(words, k, word)
        at = stop + 1
    return words
