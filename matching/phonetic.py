"""Phonetic folding for Indian names written in Latin letters.

Hindi, Gujarati, Bengali and the southern languages reach English through several
transliteration habits at once: aspirates written or not (Thakkar/Thakar, Siddhi/Sidhi),
long vowels doubled or not (Baalaji/Balaji, Shree/Shri, Kapoor/Kapur), w/v, z/j, ksh/x
(Lakshmi/Laxmi), a final schwa kept or dropped (Krishna/Krishn, Agarwala/Agarwal), and
y/i (Jay/Jai, Chokshy/Chokshi). `fold_token` maps all members of such a family to one
string with a handful of general rules, plus a short list of families the rules cannot see
(Luxmi, Goel/Goyal). `skeleton` keeps the consonant frame, which survives vowel typos and
dropped schwas (Bajrang/Bajarang, Agrawal/Agarwal).
"""

from __future__ import annotations

import re
from functools import lru_cache

from matching.wordlists import SPELLING_FAMILIES

_VOWELS = frozenset("aeiouy")
_DIGRAPHS = {
    "ksh": "x",
    "ks": "x",
    "chh": "c",
    "sh": "s",
    "th": "t",
    "dh": "d",
    "bh": "b",
    "kh": "k",
    "gh": "g",
    "ph": "f",
    "jh": "j",
    "ch": "c",
    "ck": "k",
    "q": "k",
    "w": "v",
    "z": "j",
    "y": "i",
    "ee": "i",
    "oo": "u",
}
_DIGRAPH_RE = re.compile("|".join(sorted(_DIGRAPHS, key=len, reverse=True)))
_TRIPLES_RE = re.compile(r"(.)\1{2,}")
_DOUBLES_RE = re.compile(r"(.)\1")
_PLURAL_KEEP = ("ss", "us", "is", "os")


def has_vowel(token: str) -> bool:
    return not _VOWELS.isdisjoint(token)


def singular(token: str) -> str:
    """English plural of a trade word folded to its singular (Steels/Steel, Agencies/Agency)."""
    if len(token) < 5 or not token.isalpha():
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("sses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(_PLURAL_KEEP):
        return token[:-1]
    return token


def _fold_rules(token: str) -> str:
    token = _TRIPLES_RE.sub(r"\1\1", token)
    if token.endswith("ey") and len(token) > 3:
        token = token[:-2] + "e"
    token = _DIGRAPH_RE.sub(lambda m: _DIGRAPHS[m.group(0)], token)
    token = _DOUBLES_RE.sub(r"\1", token)
    if token.endswith("or") and len(token) > 5:
        token = token[:-2] + "er"
    if len(token) > 3 and token.endswith("a"):
        token = token[:-1]
    if len(token) > 3 and token.endswith("h"):
        token = token[:-1]
    return token


_FAMILIES: dict[str, str] = {
    _fold_rules(singular(k)): _fold_rules(singular(v)) for k, v in SPELLING_FAMILIES.items()
}


@lru_cache(maxsize=1 << 18)
def fold_token(token: str) -> str:
    """One spelling for a transliteration family; a pure function of the token's letters.

    Tokens without a vowel (initials such as "jcb", abbreviations) and numbers are kept as
    they are, so "S.H." does not collapse into "S.".
    """
    if not has_vowel(token) or token.isdigit():
        return token
    folded = _fold_rules(singular(token))
    return _FAMILIES.get(folded, folded)


@lru_cache(maxsize=1 << 16)
def skeleton(folded: str) -> str:
    """First letter plus the remaining consonants of a folded token (Bajrang -> bjrng)."""
    if len(folded) <= 2:
        return folded
    rest = [ch for ch in folded[1:] if ch not in _VOWELS]
    out = [folded[0]]
    for ch in rest:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)
