"""The words of Indian legal forms and how a single token is read as one: exactly
("Pvt", "Bros."), or a long one with typos ("Privtae", "Lmiited", "Brothres"), and the short
ones that only their place in a name may confirm (`matching.legal` reads whole names).
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from rapidfuzz.distance import OSA


class LegalWord(Enum):
    PRIVATE = "private"
    LIMITED = "limited"
    PVT_LTD = "pvtltd"
    LLP = "llp"
    OPC = "opc"
    LIABILITY = "liability"
    PARTNERSHIP = "partnership"
    COMPANY = "company"
    SONS = "sons"
    ASSOCIATES = "associates"
    BROTHERS = "brothers"
    AND = "and"

    # Members are singletons, so identity is a hash: Enum's own hashes the name in Python,
    # and each name normalised puts a few of these in sets.
    __hash__ = object.__hash__


EXACT: dict[str, LegalWord] = {
    "private": LegalWord.PRIVATE,
    "pvt": LegalWord.PRIVATE,
    "pvte": LegalWord.PRIVATE,
    "prvt": LegalWord.PRIVATE,
    "priv": LegalWord.PRIVATE,
    "limited": LegalWord.LIMITED,
    "ltd": LegalWord.LIMITED,
    "lmtd": LegalWord.LIMITED,
    "ltdd": LegalWord.LIMITED,
    "pvtltd": LegalWord.PVT_LTD,
    "privatelimited": LegalWord.PVT_LTD,
    "llp": LegalWord.LLP,
    "opc": LegalWord.OPC,
    "liability": LegalWord.LIABILITY,
    "partnership": LegalWord.PARTNERSHIP,
    "company": LegalWord.COMPANY,
    "co": LegalWord.COMPANY,
    "coy": LegalWord.COMPANY,
    "sons": LegalWord.SONS,
    "son": LegalWord.SONS,
    "associates": LegalWord.ASSOCIATES,
    "associate": LegalWord.ASSOCIATES,
    "assoc": LegalWord.ASSOCIATES,
    "assocs": LegalWord.ASSOCIATES,
    "asso": LegalWord.ASSOCIATES,
    "brothers": LegalWord.BROTHERS,
    "brother": LegalWord.BROTHERS,
    "bros": LegalWord.BROTHERS,
    "bro": LegalWord.BROTHERS,
    "and": LegalWord.AND,
}

# Long legal words recognised with typos; short ones only where context confirms them.
FUZZY_LONG = (
    LegalWord.PRIVATE,
    LegalWord.LIMITED,
    LegalWord.COMPANY,
    LegalWord.ASSOCIATES,
    LegalWord.BROTHERS,
    LegalWord.LIABILITY,
    LegalWord.PARTNERSHIP,
)
STRONG = frozenset(
    {
        LegalWord.PRIVATE,
        LegalWord.LIMITED,
        LegalWord.PVT_LTD,
        LegalWord.LLP,
        LegalWord.OPC,
        LegalWord.LIABILITY,
        LegalWord.PARTNERSHIP,
    }
)
FIRM = {
    LegalWord.COMPANY: "& Co",
    LegalWord.SONS: "& Sons",
    LegalWord.ASSOCIATES: "& Associates",
    LegalWord.BROTHERS: "Brothers",
}

# Short legal words read with a typo where their place confirms them: ending a name
# (`SHORT_TAIL`), or after an "and" (`AFTER_AND`).
SHORT_TAIL: dict[str, LegalWord] = {
    "ltd": LegalWord.LIMITED,
    "llp": LegalWord.LLP,
    "pvt": LegalWord.PRIVATE,
    "bros": LegalWord.BROTHERS,
    "assoc": LegalWord.ASSOCIATES,
    "asso": LegalWord.ASSOCIATES,
}
AFTER_AND: dict[str, LegalWord] = {
    "sons": LegalWord.SONS,
    "assoc": LegalWord.ASSOCIATES,
    "bros": LegalWord.BROTHERS,
    "company": LegalWord.COMPANY,
}
# Real words one typo away from a short legal abbreviation; never read as legal.
NOT_LEGAL = frozenset(
    {
        "lad",
        "lid",
        "led",
        "lat",
        "let",
        "lot",
        "pat",
        "pet",
        "put",
        "pit",
        "pvr",
        "bras",
        "pros",
        "boss",
        "brass",
        "ross",
        "amos",
        "ram",
        "sai",
    }
)


def within(token: str, word: str, limit: int) -> bool:
    return OSA.distance(token, word, score_cutoff=limit) <= limit


@lru_cache(maxsize=1 << 16)
def fuzzy_long(token: str) -> LegalWord | None:
    """A long legal word written with typos ("Privtae", "Lmiited", "Brothres")."""
    if len(token) < 5 or token.isdigit() or token in NOT_LEGAL:
        return None
    limit = 1 if len(token) <= 5 else 2
    for candidate in FUZZY_LONG:
        if within(token, candidate.value, limit):
            return candidate
    if within(token, "sons", 1):
        return LegalWord.SONS
    return None


def fuzzy_short(token: str, targets: dict[str, LegalWord], limit: int) -> LegalWord | None:
    if token in NOT_LEGAL or token.isdigit():
        return None
    for text, word in targets.items():
        if within(token, text, limit):
            return word
    return None
