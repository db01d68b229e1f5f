"""Legal forms of Indian business names, read off a token list.

People write the same legal form in many ways (`Private Limited`, `Pvt. Ltd.`, `(P) Ltd`,
`P. Ltd`, `Pvt Limited`, `L.L.P.`, `& Co.`, `and Company`, `& Son's`, `Bros.`) and with
typos (`Privtae`, `Lmiited`, `Brothres`, `Assoiates`), sometimes shuffled into the middle
of the name. This module separates that signal from the core name and returns it in one
canonical spelling. Trade words such as Enterprises or Traders are not legal forms.
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.legal_words import (
    AFTER_AND,
    EXACT,
    FIRM,
    SHORT_TAIL,
    STRONG,
    LegalWord,
    fuzzy_long,
    fuzzy_short,
    within,
)

PRIVATE_LIMITED = "Private Limited"
LIMITED = "Limited"
LLP = "LLP"
OPC = "OPC"

# Which kind of entity each canonical form names; used to tell conflicting forms apart.
LEGAL_FAMILY: dict[str, str] = {
    PRIVATE_LIMITED: "company",
    LIMITED: "company",
    OPC: "company",
    LLP: "llp",
    "& Co": "firm",
    "& Sons": "firm",
    "& Associates": "firm",
    "Brothers": "firm",
}


@dataclass(frozen=True, slots=True)
class LegalSplit:
    """The tokens left for the core name and the legal form taken out of them."""

    core: list[str]
    legal_form: str | None


def split_legal_form(tokens: list[str]) -> LegalSplit:
    """Take the legal form out of a token list (single letters not yet merged).

    Strong words (Private, Limited, LLP, OPC) are taken wherever they stand, because people
    shuffle them ("Deccan Paints Limited Private"); firm words (& Co, & Sons, & Associates,
    Brothers) only at the end or beside an "and", since "Trading Co" is part of a name.
    Misspelt legal words are read only where legal words stand (at the end, or next to
    another legal word), so a name word is not taken for one by accident.
    The core never becomes empty: a name that is only legal words keeps them.
    """
    tokens = _join_trailing_letters(tokens)
    words = _read_words(tokens)
    keep = [True] * len(tokens)
    strong = {w for w in words if w in STRONG}
    if LegalWord.LIMITED in strong or LegalWord.PVT_LTD in strong:
        _take_lone_p(tokens, words, keep)
    for i, word in enumerate(words):
        if word in STRONG and (word is not LegalWord.PRIVATE or _private_is_legal(words, i)):
            keep[i] = False
    firms = _take_firm_words(words, keep)
    if not any(keep):
        return LegalSplit(list(tokens), None)
    taken = {w for w, k in zip(words, keep, strict=True) if not k}
    company = _company_form(taken)
    parts = [FIRM[w] for w in firms]
    if company:
        parts.append(company)
    core = [t for t, k in zip(tokens, keep, strict=True) if k]
    return LegalSplit(core, " ".join(parts) if parts else None)


def _join_trailing_letters(tokens: list[str]) -> list[str]:
    """ "L.L.PP." or ".L.P." at the end: short pieces that together spell LLP or Ltd."""
    run = 0
    while run < len(tokens) and len(tokens[-1 - run]) <= 2 and tokens[-1 - run].isalpha():
        run += 1
    if run < 2 or len(tokens) - run < 2:
        return tokens
    joined = "".join(tokens[-run:])
    if len(joined) <= 5 and fuzzy_short(joined, {"llp": LegalWord.LLP}, 1):
        return [*tokens[:-run], "llp"]
    return tokens


def _read_words(tokens: list[str]) -> list[LegalWord | None]:
    exact = [EXACT.get(t) for t in tokens]
    words = list(exact)
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if words[i] is not None:
            continue
        beside_exact = (i > 0 and exact[i - 1] is not None) or (i < last and exact[i + 1])
        if i >= last - 1 or beside_exact:
            words[i] = fuzzy_long(token)
    _confirm_short_words(tokens, words)
    return words


def _confirm_short_words(tokens: list[str], words: list[LegalWord | None]) -> None:
    """Accept typos in short legal words where their place confirms them.

    "Pvt. Ptd.", "Ovt. Limited" and "(P) dt" are private limited; "and Sonx", "& Assovc."
    and "and C." are firm suffixes; a last word one typo from Ltd/LLP/Bros ("Ldt", "Lpl",
    "Bfos") is legal when at least two name words stand before it.
    """
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if words[i] is not None or len(token) > 6:
            continue
        before = words[i - 1] if i > 0 else None
        after = words[i + 1] if i < last else None
        after_p = _after_lone_p(tokens, i)
        if after is LegalWord.LIMITED and (within(token, "pvt", 1) or _pvt_like(token)):
            words[i] = LegalWord.PRIVATE
        elif (
            (before is LegalWord.PRIVATE or after_p)
            and len(token) >= 2
            and (within(token, "ltd", 2))
        ):
            words[i] = LegalWord.LIMITED
        elif before is LegalWord.AND and token in ("c", "co", "cp", "ci", "coo", "cos"):
            words[i] = LegalWord.COMPANY
        elif before is LegalWord.AND and i == last and len(token) >= 3:
            words[i] = fuzzy_short(token, AFTER_AND, 2)
        elif len(token) > 5:
            continue
        elif i == last and len(tokens) >= 3 and len(token) >= 2:
            words[i] = fuzzy_short(token, SHORT_TAIL, 1)
        if words[i] is None and i < last and words[i + 1] in FIRM and _and_like(token):
            words[i] = LegalWord.AND


def _and_like(token: str) -> bool:
    """ "and" as people shorten or mistype it before a firm word ("Ram n Sons", "anc Co").
    Not "Ind", one letter from "and" but the usual short form of Industries ("Sharma Ind
    Associates" is not Sharma & Associates)."""
    return token in ("n", "nd", "an") or (
        3 <= len(token) <= 4 and token not in _ABBREVIATIONS_NEAR_AND and within(token, "and", 1)
    )


#: Abbreviations of words that are one typo from "and" (see `matching.wordlists`).
_ABBREVIATIONS_NEAR_AND = frozenset({"ind"})


def _after_lone_p(tokens: list[str], i: int) -> bool:
    """The token follows a "P" that is not the end of a run of initials ("P. Td")."""
    if i == 0 or tokens[i - 1] != "p":
        return False
    return i == 1 or len(tokens[i - 2]) > 1


def _pvt_like(token: str) -> bool:
    return len(token) == 3 and "v" in token and "t" in token


def _take_lone_p(tokens: list[str], words: list[LegalWord | None], keep: list[bool]) -> None:
    """A lone "P" in a limited company's name is "(P) Ltd" or "P. Ltd": private.

    "O. Ltd" (the key next to P) right before Ltd reads the same way.
    """
    for i, token in enumerate(tokens):
        before_ltd = i + 1 < len(tokens) and words[i + 1] is LegalWord.LIMITED
        if token != "p" and not (token == "o" and before_ltd):
            continue
        left_single = i > 0 and len(tokens[i - 1]) == 1 and words[i - 1] is None
        right_single = i + 1 < len(tokens) and len(tokens[i + 1]) == 1
        if not left_single and not right_single:
            words[i] = LegalWord.PRIVATE
            keep[i] = False


def _private_is_legal(words: list[LegalWord | None], i: int) -> bool:
    """ "Private" is legal next to Limited/OPC anywhere, or at the end ("Sharma Pvt")."""
    if i == len(words) - 1:
        return True
    return any(w in (LegalWord.LIMITED, LegalWord.OPC, LegalWord.PVT_LTD) for w in words)


def _take_firm_words(words: list[LegalWord | None], keep: list[bool]) -> list[LegalWord]:
    """Firm suffixes at the end of what is left, or joined to an "and" ("son's &").

    Read from the end, so that in "Transport Co & Associates" only "& Associates" goes and
    "Co" stays part of the name.
    """
    taken: list[LegalWord] = []
    while True:
        alive = [i for i, k in enumerate(keep) if k]
        if len(alive) < 2:
            break
        found = False
        for pos in range(len(alive) - 1, -1, -1):
            word = words[alive[pos]]
            if word not in FIRM:
                continue
            last = len(alive) - 1
            prev_and = pos > 0 and words[alive[pos - 1]] is LegalWord.AND
            trailing_and = pos == last - 1 and words[alive[last]] is LegalWord.AND
            if word is LegalWord.COMPANY:
                allowed = prev_and or trailing_and
            else:
                allowed = pos == last or prev_and or trailing_and
            if not allowed or (pos == 0 and not trailing_and):
                continue
            keep[alive[pos]] = False
            if prev_and:
                keep[alive[pos - 1]] = False
            elif trailing_and:
                keep[alive[last]] = False
            if word not in taken:
                taken.insert(0, word)
            found = True
            break
        if not found:
            break
    return taken


def _company_form(taken: set[LegalWord | None]) -> str | None:
    if LegalWord.LLP in taken or {LegalWord.LIABILITY, LegalWord.PARTNERSHIP} <= taken:
        return LLP
    if LegalWord.OPC in taken:
        return OPC
    if LegalWord.PVT_LTD in taken or LegalWord.PRIVATE in taken:
        return PRIVATE_LIMITED
    if LegalWord.LIMITED in taken:
        return LIMITED
    return None


def legal_family(form: str | None) -> str | None:
    """'company', 'llp' or 'firm' for a canonical legal form (the outermost part decides)."""
    if form is None:
        return None
    for suffix in (PRIVATE_LIMITED, LIMITED, OPC, LLP):
        if form.endswith(suffix):
            return LEGAL_FAMILY[suffix]
    return "firm"


_FORM_PARTS = ("& Co", "& Sons", "& Associates", "Brothers", PRIVATE_LIMITED, LIMITED, LLP, OPC)


def legal_parts(form: str | None) -> tuple[str, ...]:
    """The canonical parts of a legal form ("& Sons Private Limited" -> both parts)."""
    found: list[str] = []
    rest = form or ""
    while rest:
        for part in _FORM_PARTS:
            if rest.startswith(part):
                found.append(part)
                rest = rest[len(part) :].lstrip()
                break
        else:
            break
    return tuple(found)
