"""Initials are read as initials: compared letter by letter, never as the start of a word.

"S.I. Oil Mills" is not "Sikka Oil Mills", and "A N A Transport" is not "Annapurna
Transport"; "P D E Agencies" is "P.E.D. Agencies" with the letters in another order.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.index import InMemoryIndex
from matching.normalise import NormalName, normalise
from matching.similarity import initials_similarity, pair_similarity


@pytest.mark.parametrize(
    ("written", "core", "initials"),
    [
        ("A.B.C. Traders", "abc traders", {"abc"}),
        ("A B C Traders", "abc traders", {"abc"}),
        ("N.A.A. Transport Co & Sons", "naa transport company", {"naa"}),
        ("C.KK.J. Traders", "ckkj traders", {"ckkj"}),
        # an initial moved away by word order joins the others
        ("H. Spices H. Bros", "hh spices", {"hh"}),
        # initials are never taken for an abbreviation, even at the end (where the core
        # spells them out: "balaji ent" would read back as Balaji Enterprises)
        ("Balaji E.N.T.", "balaji e n t", {"ent"}),
        # undotted short words stay words ("Mll" is as likely a typo of "Mill")
        ("TJJ Builders", "tjj builders", set()),
        ("ABC Traders", "abc traders", set()),
        ("A. Sharma Traders", "a sharma traders", set()),
    ],
)
def test_initials_are_recorded(written: str, core: str, initials: set[str]) -> None:
    name = normalise(written)
    assert name.core == core
    assert name.initials == initials


def test_initials_survive_the_stored_form() -> None:
    name = normalise("M/s P.E.D. Agencies LLP")
    assert NormalName.decode(name.encode()) == name


LETTERS = st.lists(st.sampled_from("bcdgjkmnprstv"), min_size=2, max_size=4)


@given(LETTERS)
def test_dots_and_spaces_between_initials_normalise_alike(letters: list[str]) -> None:
    dotted = normalise(".".join(letters).upper() + ". Agencies")
    spaced = normalise(" ".join(letters).upper() + " Agencies")
    both = normalise(". ".join(letters).upper() + ". Agencies")
    assert dotted == spaced == both
    assert dotted.initials == {"".join(letters)}


def test_an_abbreviation_with_a_key_pressed_twice_is_expanded() -> None:
    assert normalise("Hindustan EEnt. & Assoc.").core == "hindustan enterprises"
    assert normalise("Hindustan Ent.").core == "hindustan enterprises"


def initials(letters: str) -> tuple[str, str, bool]:
    return (letters, letters, True)


def word(text: str) -> tuple[str, str, bool]:
    folded = normalise(text).folded_tokens[0]
    return (folded, text.lower(), False)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (initials("ped"), initials("pde"), 0.85),  # same letters, another order
        (initials("naa"), initials("ana"), 0.85),
        (initials("pn"), initials("np"), 0.5),  # a reversed pair is someone else
        (initials("mk"), initials("mkd"), 0.75),  # the last initial dropped
        (initials("dsb"), initials("dxb"), 2 / 3),
        (initials("wkj"), initials("ksj"), 0.0),
        # against a word: only initials typed undotted
        (initials("abc"), word("ABC"), 1.0),
        (initials("abc"), word("ABD"), 2 / 3),
        (initials("mke"), word("Mkee"), 0.75),
        (initials("beh"), word("BE"), 0.75),
        (initials("dve"), word("DE"), 2 / 3),
        # never a prefix or a sound of a word
        (initials("si"), word("Sikka"), 0.0),
        (initials("si"), word("Sai"), 0.0),
        (initials("ana"), word("Annapurna"), 0.0),
        (initials("bad"), word("Bhatt"), 0.0),
    ],
)
def test_initials_similarity(
    a: tuple[str, str, bool], b: tuple[str, str, bool], expected: float
) -> None:
    assert pair_similarity(a, b) == pytest.approx(expected)
    assert pair_similarity(b, a) == pytest.approx(expected)


def test_initials_similarity_is_symmetric_and_exact_for_the_same_letters() -> None:
    assert initials_similarity("abc", "abc") == 1.0
    assert initials_similarity("abc", "cab") == initials_similarity("cab", "abc")


DIRECTORY = [
    (1, "S.K. Oil Mills LLP", "Mangaluru"),
    (2, "Sikka Oil Mills LLP", "Mangaluru"),
    (3, "Sai Ambe Oil Mills LLP", "Mangaluru"),
    (4, "N.A.A. Transport Co & Sons", "Thrissur"),
    (5, "Annapurna Transport Co LLP", "Thrissur"),
    (6, "B.A.S. Glass House LLP", "Karnal"),
    (7, "Bhatt Glass House", "Patna"),
    (8, "P.E.D. Agencies LLP", "Gaya"),
    (9, "Matrix Enterprises Brothers", "Jalandhar"),
    (10, "H.H. Spices Brothers", "New Delhi"),
    (11, "Hindustan Enterprises & Associates", "Patna"),
    (12, "Hindustan Paints & Sons", "Karnal"),
]
# Names that share what the queries below have in common with their truth, so that the
# truth must be picked out of a crowd before it is scored.
CROWD = [
    *((100 + n, f"P.{letter}. Agencies", "Leh") for n, letter in enumerate("ABCDEFGHJKLMN")),
    *((200 + n, f"{letter}.E. Agencies LLP", "Agra") for n, letter in enumerate("ABCDFGHJKLMN")),
    *((300 + n, f"P.{letter}.E. Agencies", "Pune") for n, letter in enumerate("ABCFGHJKLMN")),
    *(
        (400 + n, f"Matrix {w} Enterprises", "Surat")
        for n, w in enumerate(
            "Agro Auto Cable Dairy Foods Glass Metal Motor Paint Pipe Steel Tile Tyre Wire".split()
        )
    ),
    *(
        (500 + n, f"Bhatt {trade}", "Patna")
        for n, trade in enumerate(
            "Traders Steels Textiles Foods Paints Motors Tiles Marbles Yarns Pipes".split()
        )
    ),
]


@pytest.fixture(scope="module")
def index() -> InMemoryIndex:
    idx = InMemoryIndex()
    for id_, name, city in CROWD + DIRECTORY:  # the crowd first, as if older
        idx.add(id_, name, city)
    return idx


@pytest.mark.parametrize(
    ("query", "city", "truth"),
    [
        ("S.I. Oil Mills L.L.P.", "Mangaluru", 1),
        ("A N A Transporg Co", "Thrissur", 4),
        ("B A D Glass House LLP", None, 6),
        ("P D E Aagencies L.L.P.", "Gaya", 8),
        ("MATRIXX BROTHER'S ENT.", None, 9),
        ("H. Spices H. Broos", None, 10),
        ("Hindustan EEnt. & Assoc.", "Patna", 11),
    ],
)
def test_search_reads_initials_as_initials(
    index: InMemoryIndex, query: str, city: str | None, truth: int
) -> None:
    # few candidates scored, as at a million businesses where thousands share a word
    found = index.search(query, city=city, limit=3, max_scored=8)
    assert found[0][0] == truth


CO_DIRECTORY = [
    (1, "C.O. Traders"),
    (2, "Co-operative Traders"),
    (3, "Sharma Trading Co"),
    (4, "K.C. Traders"),
    (5, "Shree Balaji C.O."),
    (6, "Shree Balaji Co"),
]


@pytest.mark.parametrize(
    ("query", "truth"),
    [
        ("C.O. Traders", 1),
        ("C O Traders", 1),
        ("CO Traders", 1),
        ("Co Traders", 1),
        ("Co. Traders", 1),
        ("Shree Balaji C O", 5),
        ("Shree Balaji Co.", 6),
    ],
)
def test_co_starting_a_name_finds_the_initials_and_after_a_name_the_company(
    query: str, truth: int
) -> None:
    index = InMemoryIndex()
    for id_, name in CO_DIRECTORY:
        index.add(id_, name, "Indore")
    assert index.search(query, limit=1)[0][0] == truth
