"""Rough Latin transliteration of names written in Indian scripts.

A name typed in Devanagari ("श्री गणेश ट्रेडर्स") should meet its English spelling
("Shree Ganesh Traders"). The nine main Indic Unicode blocks (Devanagari to Malayalam) share
one layout, so a single table indexed by the offset inside the block covers all of them
approximately. The output is plain lowercase Latin that the phonetic folding then treats
like any other spelling; it only has to land inside the same spelling family.
"""

from __future__ import annotations

_FIRST, _LAST = 0x0900, 0x0D7F

_INDEPENDENT_VOWELS = {
    0x05: "a",
    0x06: "aa",
    0x07: "i",
    0x08: "ee",
    0x09: "u",
    0x0A: "oo",
    0x0B: "ri",
    0x0E: "e",
    0x0F: "e",
    0x10: "ai",
    0x12: "o",
    0x13: "o",
    0x14: "au",
}
_CONSONANTS = {
    0x15: "k",
    0x16: "kh",
    0x17: "g",
    0x18: "gh",
    0x19: "n",
    0x1A: "ch",
    0x1B: "chh",
    0x1C: "j",
    0x1D: "jh",
    0x1E: "n",
    0x1F: "t",
    0x20: "th",
    0x21: "d",
    0x22: "dh",
    0x23: "n",
    0x24: "t",
    0x25: "th",
    0x26: "d",
    0x27: "dh",
    0x28: "n",
    0x29: "n",
    0x2A: "p",
    0x2B: "ph",
    0x2C: "b",
    0x2D: "bh",
    0x2E: "m",
    0x2F: "y",
    0x30: "r",
    0x31: "r",
    0x32: "l",
    0x33: "l",
    0x34: "zh",
    0x35: "v",
    0x36: "sh",
    0x37: "sh",
    0x38: "s",
    0x39: "h",
}
_VOWEL_SIGNS = {
    0x3E: "aa",
    0x3F: "i",
    0x40: "ee",
    0x41: "u",
    0x42: "oo",
    0x43: "ri",
    0x46: "e",
    0x47: "e",
    0x48: "ai",
    0x4A: "o",
    0x4B: "o",
    0x4C: "au",
}
_VIRAMA = 0x4D
_NUKTA = 0x3C
_NASALS = {0x01: "n", 0x02: "n", 0x03: "h"}


def _offset(ch: str) -> int | None:
    code = ord(ch)
    if _FIRST <= code <= _LAST:
        return (code - _FIRST) % 0x80
    return None


def transliterate_indic(text: str) -> str:
    """Latin letters for any Indic-script characters in `text`; other text is unchanged."""
    if not any(_offset(ch) is not None for ch in text):
        return text
    out: list[str] = []
    pending_a = False
    for ch in text:
        offset = _offset(ch)
        if offset is None:
            pending_a = False
            out.append(ch)
            continue
        if offset in _VOWEL_SIGNS:
            out.append(_VOWEL_SIGNS[offset])
            pending_a = False
            continue
        if offset == _VIRAMA:
            pending_a = False
            continue
        if offset == _NUKTA:
            continue
        if pending_a:
            out.append("a")
            pending_a = False
        if offset in _CONSONANTS:
            out.append(_CONSONANTS[offset])
            pending_a = True
        elif offset in _INDEPENDENT_VOWELS:
            out.append(_INDEPENDENT_VOWELS[offset])
        elif offset in _NASALS:
            out.append(_NASALS[offset])
        elif 0x66 <= offset <= 0x6F:
            out.append(str(offset - 0x66))
        elif offset in (0x64, 0x65):
            out.append(" ")
    return "".join(out)
