"""From a business name as written to its words: Unicode folded to lowercase ASCII, a
proprietor's note taken off ("Sharma Traders (Prop. Ramesh)"), "M/s" and marks dropped,
each word with whether a dot followed it, words run together split ("Goyalricemill") and
words split apart joined ("L.L.P.", "Co-op"). `matching.normalise` makes a name of them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from matching.indic import transliterate_indic
from matching.phonetic import has_vowel
from matching.wordlists import (
    ABBREVIATIONS,
    RUN_TOGETHER_PREFIXES,
    RUN_TOGETHER_SUFFIXES,
    SLASH_ABBREVIATIONS,
)

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'"})
_PAREN_NOTE = re.compile(
    r"[(\[]\s*(?:prop(?:rietor|rietress|rieter|r)?|owner|partner)\b\.?\s*[:\-.]*\s*([^)\]]*)[)\]]?"
)
# "Prop." or "Owner" after any mark, not only a space or comma, starts a note once a word
# stands before it ("Traders.Prop. X", "(I).Owner X"): so read, a core (its words joined
# by spaces) holds no note word after its first word, and normalises to itself.
_TAIL_NOTE = re.compile(
    r"(?<![a-z0-9])(?:prop(?:rietor|rietress|rieter|r)?|owner)(?![a-z0-9])\.?\s*[:\-.]*\s*(.*)$"
)
_ALNUM = re.compile(r"[a-z0-9]")
_MS_PREFIX = re.compile(r"\bm\s*/\s*s+\b\.?|\bm/[a-z]?(?![a-z0-9])\.?|^\s*ms\.\s")
_PRIVATE_IN_PARENS = re.compile(r"\(\s*p\s*\)")
_COUNTRY_IN_PARENS = re.compile(r"\(\s*(?:india|ind|i)\s*\)")
_SLASHED = re.compile(
    "|".join(rf"\b{re.escape(k)}\b" for k in sorted(SLASH_ABBREVIATIONS, key=len, reverse=True))
)
_WORD = re.compile(r"([a-z0-9]+)(\.?)")


def clean_text(text: str) -> str:
    """Unicode-fold to lowercase ASCII-ish text: HTML entities decoded ("&amp;" from web
    forms), NFKC, Indic scripts transliterated, accents stripped, typographic quotes plain."""
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():  # ASCII text is already what `fold_unicode` makes (a test says so)
        text = fold_unicode(text)
    return text.translate(_QUOTES).lower()


def fold_unicode(text: str) -> str:
    """NFKC, Indic scripts transliterated, accents stripped."""
    text = unicodedata.normalize("NFKC", text)
    text = transliterate_indic(text)
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def take_owner_note(text: str) -> tuple[str, str | None]:
    """Remove a "(Prop: X)" or trailing "Prop. X" note; X is returned as the owner."""
    owner: str | None = None
    match = _PAREN_NOTE.search(text)
    if match:
        owner = match.group(1).strip(" .,:-") or None
        text = text[: match.start()] + " " + text[match.end() :]
    match = _TAIL_NOTE.search(text)
    # a note follows a name: "M/s" alone before "Owner" is no name ("M/s Owner Traders")
    if match and _ALNUM.search(_MS_PREFIX.sub(" ", text[: match.start()])):
        owner = owner or (match.group(1).strip(" .,:-()") or None)
        text = text[: match.start()]
    return text, owner


def written_words(text: str) -> list[tuple[str, bool]]:
    """Words with a flag saying whether a dot followed them ("Ent." is an abbreviation)."""
    text = _MS_PREFIX.sub(" ", text)
    text = _PRIVATE_IN_PARENS.sub(" pvt ", text)
    text = _COUNTRY_IN_PARENS.sub(" ", text)
    text = _SLASHED.sub(lambda m: f" {SLASH_ABBREVIATIONS[m.group(0)]} ", text)
    text = text.replace("&", " and ").replace("+", " and ").replace("'", "")
    out: list[tuple[str, bool]] = []
    for m in _WORD.finditer(text):
        *head, last = split_run_together(m.group(1))
        out.extend((piece, False) for piece in head)
        out.append((last, bool(m.group(2))))
    return out


_SUFFIXES_LONGEST_FIRST = tuple(sorted(RUN_TOGETHER_SUFFIXES, key=len, reverse=True))


@lru_cache(maxsize=1 << 16)
def split_run_together(token: str) -> tuple[str, ...]:
    """A word with a trade or legal word run into it, split there: "goyalricemill" gives
    ("goyal", "rice", "mill"), "jkpaints" ("jk", "paints"); and an auspicious word run
    into a long name ("shreesiddhivinayak" gives ("shree", "siddhivinayak")).

    What is left before the trade word must still look like a word (three letters with a
    vowel) or initials (two letters without one). A word that is itself a trade word or
    a typo of one ("Hardwear", "Tetxiles") is kept whole, so that it is corrected rather
    than cut into "hard wear".
    """
    if len(token) < 6 or not token.isalpha() or token in RUN_TOGETHER_SUFFIXES:
        return (token,)
    if not token.endswith(_SUFFIXES_LONGEST_FIRST) and not token.startswith(RUN_TOGETHER_PREFIXES):
        return (token,)  # nothing that could be split off: spare the typo check below
    if token in ABBREVIATIONS or _near_trade_word(token):
        return (token,)
    for suffix in _SUFFIXES_LONGEST_FIRST:
        if not token.endswith(suffix):
            continue
        rest = token[: -len(suffix)]
        if (len(rest) >= 3 and has_vowel(rest)) or (len(rest) == 2 and not has_vowel(rest)):
            return (*split_run_together(rest), suffix)
    for prefix in RUN_TOGETHER_PREFIXES:
        rest = token[len(prefix) :]
        if token.startswith(prefix) and len(rest) >= 5 and has_vowel(rest):
            return (prefix, *split_run_together(rest))
    return (token,)


def _near_trade_word(token: str) -> bool:
    """Whether `token` is a trade or legal word with a typo or two (one edit for words of
    up to five letters, two for longer ones), other than one it merely ends with. Compared
    in rapidfuzz's compiled loop: every new word of six letters or more asks this."""
    for words, edits in _TRADE_WORDS_BY_EDITS:
        for word, _, _ in process.extract(
            token, words, scorer=OSA.distance, score_cutoff=edits, limit=None
        ):
            if not token.endswith(word):
                return True
    return False


_TRADE_WORDS_BY_EDITS = (
    (sorted(w for w in RUN_TOGETHER_SUFFIXES if len(w) <= 5), 1),
    (sorted(w for w in RUN_TOGETHER_SUFFIXES if len(w) > 5), 2),
)


#: "Co-operative" as punctuation and spacing split it ("Co-operative", "Co-op", "Co Op."):
#: a co-operative bank or society, one word, not "company operative".
CO_OP_ENDINGS = frozenset({"operative", "op", "opp"})


def join_split_words(tokens: list[str]) -> list[str]:
    """Words that punctuation or spacing split apart, joined again: "L.L.P." is "llp";
    "Co-operative", "Co-op", "Coop" and "Cooperative" are "cooperative" (also where a
    connector stood between them; never the initials C.O., which `matching.normalise`
    marks with a subclass of `str`)."""
    out: list[str] = []
    for token in tokens:
        if token == "p" and out[-2:] == ["l", "l"]:
            out[-2:] = ["llp"]
        elif token in CO_OP_ENDINGS and out and out[-1] == "co" and type(out[-1]) is str:
            out[-1] = "cooperative"
        elif token == "coop":
            out.append("cooperative")
        else:
            out.append(token)
    return out
