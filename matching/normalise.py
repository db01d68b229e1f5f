"""Normalisation of Indian business names into a comparable, structured form.

`normalise("M/s. Shree Balaji Traders (P) Ltd., Pune")` gives the core name
`"shree balaji traders"`, the legal form `"Private Limited"`, the city hint `"pune"`, and
folded tokens `("sri", "balaji", "trader")` that transliteration variants share. The core is
a fixed point: normalising it again returns the same core, so stored cores can be
re-normalised safely after the rules change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache

from matching.legal import legal_family, legal_parts, split_legal_form
from matching.phonetic import fold_token, has_vowel
from matching.wordlists import (
    ABBREVIATIONS,
    CITIES,
    CITY_ALIASES,
    CONNECTORS,
    COUNTRY_WORDS,
    DROPPED_WORDS,
    PHRASE_SYNONYMS,
)
from matching.words import (
    CO_OP_ENDINGS,
    clean_text,
    join_split_words,
    split_run_together,
    take_owner_note,
    written_words,
)


@dataclass(frozen=True, slots=True)
class NormalName:
    """A business name split into what identifies it and what only qualifies it.

    `core` is lowercase ASCII words joined by single spaces (display and storage);
    `tokens` are its words, initials as one token: the core spells initials letter by
    letter where run together they would read back as a word ("Sharma C.O. Traders" has
    the core "sharma c o traders", as "co" after a name is the word company, and the
    tokens "sharma", "co", "traders"); `folded_tokens` are the phonetically folded words
    used for matching and blocking (their count may differ: "vastralaya" becomes "vastra
    bhandar"); `spelled_tokens` are the words as written, aligned one to one with
    `folded_tokens`; `initials` are those of them written as initials ("A.B.C.", "A B C"):
    compared letter by letter, never as a word's prefix. ("TJJ" may be initials or "Mll" a
    typo of "Mill": undotted words are words.)
    """

    core: str
    tokens: tuple[str, ...]
    folded_tokens: tuple[str, ...]
    spelled_tokens: tuple[str, ...] = ()
    legal_form: str | None = None
    city_hint: str | None = None
    owner: str | None = None
    initials: frozenset[str] = frozenset()

    @property
    def legal_family(self) -> str | None:
        """'company', 'llp' or 'firm'; None when the name carries no legal form."""
        return legal_family(self.legal_form)

    def encode(self) -> str:
        """One line of text that `decode` turns back into this name, so an index can keep
        names normalised (decoding is far cheaper than normalising again)."""
        return _FIELD.join(
            (
                self.core,
                " ".join(self.tokens),
                " ".join(self.folded_tokens),
                " ".join(self.spelled_tokens),
                self.legal_form or "",
                self.city_hint or "",
                self.owner or "",
                " ".join(sorted(self.initials)),
            )
        )

    @classmethod
    def decode(cls, line: str) -> NormalName:
        """The name `encode` wrote. A search decodes every candidate's name, so the fields
        are set through their slots (the frozen dataclass `__init__` calls
        `object.__setattr__` per field, twice the time), and a field spelled like
        `tokens` shares its tuple."""
        core, tokens, folded, spelled, legal, city, owner, initials = line.split(_FIELD)
        words = tuple(tokens.split(" ")) if tokens else ()
        folded_words = words if folded == tokens else (tuple(folded.split(" ")) if folded else ())
        spelled_words = (
            words if spelled == tokens else (tuple(spelled.split(" ")) if spelled else ())
        )
        name = _new(cls)
        _set_core(name, core)
        _set_tokens(name, words)
        _set_folded(name, folded_words)
        _set_spelled(name, spelled_words)
        _set_legal_form(name, legal or None)
        _set_city_hint(name, city or None)
        _set_owner(name, owner or None)
        _set_initials(name, frozenset(initials.split(" ")) if initials else _NO_INITIALS)
        return name


def slot_setters(cls: type) -> tuple[Callable[[object, object], None], ...]:
    """The setters of a frozen, slotted dataclass's fields, in order: they fill an instance
    made with `object.__new__` without the dataclass's `__init__`, which calls
    `object.__setattr__` per field (twice the time)."""
    return tuple(getattr(cls, f.name).__set__ for f in fields(cls))


_new = object.__new__
# The slot setters of NormalName's fields, in order (unpacking fails if a field is added).
(
    _set_core,
    _set_tokens,
    _set_folded,
    _set_spelled,
    _set_legal_form,
    _set_city_hint,
    _set_owner,
    _set_initials,
) = slot_setters(NormalName)
_NO_INITIALS: frozenset[str] = frozenset()


#: Separates the fields of an encoded name; `matching.words.clean_text` leaves no
#: control characters.
_FIELD = "\x1f"
#: Bump when a change to the rules changes what `normalise` returns for some name: stored
#: encodings of the old version are then ignored (and `registry reindex` rewrites them).
VERSION = 4


class _Initials(str):
    """A token merged from single letters ("a b c" -> "abc"). The type marks it through
    the legal-form, connector and city passes, so that it is told apart by its place, not
    by its spelling, from a word spelled the same ("C.O. Trading Co": the initials C.O.,
    then the word Co)."""

    __slots__ = ()


def _merge_initials(tokens: list[str], dotted: set[str]) -> list[str]:
    """Runs of single letters become one token: "a b c" and "a.b.c." both give "abc";
    a dotted two-consonant piece inside such a run joins it too ("C.KK.J."); and dotted
    letters standing apart join the first run ("H. Spices H." gives "hh spices", as word
    order moved an initial). Tokens so made are `_Initials`."""
    runs: list[list[str]] = []
    out: list[str | list[str]] = []
    for token in tokens:
        piece = len(token) == 2 and token in dotted and not has_vowel(token)
        letter = len(token) == 1 and token.isalpha()
        if (letter or (piece and token.isalpha())) and out and isinstance(out[-1], list):
            out[-1].append(token)
        elif letter:
            runs.append([token])
            out.append(runs[-1])
        else:
            out.append(token)
    if len(runs) > 1 and all(t in dotted for run in runs[1:] for t in run):
        for run in runs[1:]:
            runs[0].extend(run)
            run.clear()
    merged: list[str] = []
    for item in out:
        if isinstance(item, str):
            merged.append(item)
        elif len(item) > 1:
            merged.append(_Initials("".join(item)))
        elif item:
            merged.append(item[0])
    return merged


def _city_at_end(tokens: list[str]) -> int:
    """How many trailing tokens spell a city (0 if none); two-word cities first."""
    if len(tokens) >= 2 and " ".join(tokens[-2:]) in CITIES:
        return 2
    if tokens and tokens[-1] in CITIES:
        return 1
    return 0


@lru_cache(maxsize=1 << 12)
def canonical_city(city: str | None) -> str | None:
    """A city as compared by the matcher: cleaned, lowercase, old names mapped to new.
    (Cities are few and each search canonicalises a hundred candidates' cities.)"""
    if not city:
        return None
    words = re.findall(r"[a-z0-9]+", clean_text(city))
    if not words:
        return None
    joined = " ".join(words)
    return CITY_ALIASES.get(joined, joined)


def _expand(token: str, dotted: bool, first: bool, last: bool) -> str:
    """Expand a written abbreviation; 2-3 letter ones only when written with a dot or
    ending a name ("Balaji Ent", "Sharma Pkg"), since elsewhere undotted they are more often
    initials (E.N.T. Traders is not Enterprises Traders). "Co" is the word company wherever
    a name comes before it ("Shah Co Transport", "Naidu Trading Co") and never where it
    starts one: no trader names a business Company Something, so "CO Traders" and
    "Co. Traders" are the initials C.O. typed another way. A dotted word that is an
    abbreviation with one letter doubled is taken for that abbreviation."""
    if token == "co":
        return token if first else "company"
    full = ABBREVIATIONS.get(token)
    if full is None and dotted and len(token) >= 3:
        full = ABBREVIATIONS.get(_DOUBLED.sub(r"\1", token))  # a key pressed twice: "EEnt."
    if full is None or (len(token) <= 3 and not (dotted or last)):
        return token
    return full


def _read_as_word(token: str, first: bool, last: bool, following: str | None) -> bool:
    """Whether initials run together would be read as something else if they were a word
    in this place: an abbreviation ("co" after a name is company, "corp" anywhere is
    corporation), part of a word ("co" before "op" is co-op), a dropped word ("regd"), a
    connector ("the") or words run together ("abmill")."""
    return (
        _expand(token, False, first, last) != token
        or (token == "co" and following in CO_OP_ENDINGS)
        or token in DROPPED_WORDS
        or token in CONNECTORS
        or split_run_together(token) != (token,)
    )


_DOUBLED = re.compile(r"(.)\1")


def _fold_phrases(words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Folded tokens, with trade phrases written two ways made one ("Vastralaya" and
    "Vastra Bhandar"), and beside them the words as written (aligned one to one)."""
    folded = [fold_token(t) for t in words]
    out: list[str] = []
    spelled: list[str] = []
    i = 0
    while i < len(folded):
        for phrase, replacement in _FOLDED_PHRASES.get(folded[i], ()):
            if tuple(folded[i : i + len(phrase)]) == phrase:
                out.extend(replacement)
                spelled.extend(replacement)
                i += len(phrase)
                break
        else:
            out.append(folded[i])
            spelled.append(words[i])
            i += 1
    return tuple(out), tuple(spelled)


#: The phrases, folded, under their first word (in `PHRASE_SYNONYMS`' order: the first
#: that matches is taken).
_FOLDED_PHRASES: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _phrase, _replacement in PHRASE_SYNONYMS.items():
    _folded_phrase = tuple(fold_token(w) for w in _phrase)
    _FOLDED_PHRASES.setdefault(_folded_phrase[0], []).append(
        (_folded_phrase, tuple(fold_token(w) for w in _replacement))
    )


# For names asked again (a search typed twice, a filing's debtor): an import's names are
# new each, and a web worker's distinct queries never stop coming, at about 1 KB a name.
@lru_cache(maxsize=1 << 12)
def normalise(name: str) -> NormalName:
    """Normalise a business name as written by people (see the module docstring)."""
    text, owner = take_owner_note(clean_text(name))
    words = [(t, d) for t, d in written_words(text) if t not in DROPPED_WORDS]
    dotted = {t for t, d in words if d}
    tokens = join_split_words([t for t, _ in words])
    forms: list[str] = []
    city: str | None = None
    while True:
        split = split_legal_form(tokens)
        if split.legal_form:
            forms.insert(0, split.legal_form)
        # initials spelling a connector ("T.H.E.", "A.N.D.") are initials, kept
        kept = [t for t in split.core if isinstance(t, _Initials) or t not in CONNECTORS]
        kept = join_split_words(kept)
        merged = _merge_initials(kept, dotted)
        cut = _city_at_end(merged)
        if len(merged) >= 3 and merged[-1] in COUNTRY_WORDS:
            tokens = merged[:-1]
        elif cut and len(merged) - cut >= 2:
            city = city or CITY_ALIASES.get(" ".join(merged[-cut:]), " ".join(merged[-cut:]))
            tokens = merged[:-cut]
        elif merged != tokens:
            tokens = merged  # what was inside may now stand at the end ("X Pvt & Sons")
        else:
            break
    last = len(merged) - 1
    core_tokens: list[str] = []
    core_words: list[str] = []  # the core: as the tokens, but see `_read_as_word`
    for i, token in enumerate(merged):
        first, end = i == 0, i == last and i > 0
        if isinstance(token, _Initials):
            following = merged[i + 1] if i < last else None
            core_tokens.append(str(token))
            by_letter = _read_as_word(token, first, end, following)
            core_words.append(" ".join(token) if by_letter else token)
        else:
            core_tokens.append(_expand(token, token in dotted, first, end))
            core_words.append(core_tokens[-1])
    initials = frozenset(t for t in merged if isinstance(t, _Initials))
    folded, spelled = _fold_phrases(tuple(core_tokens))
    return NormalName(
        core=" ".join(core_words),
        tokens=tuple(core_tokens),
        folded_tokens=folded,
        spelled_tokens=spelled,
        legal_form=_merge_forms(forms),
        city_hint=city,
        owner=owner,
        initials=frozenset(t for t in spelled if t in initials),
    )


def _merge_forms(forms: list[str]) -> str | None:
    parts: list[str] = []
    for form in forms:
        for part in legal_parts(form):
            if part not in parts:
                parts.append(part)
    return " ".join(parts) if parts else None
