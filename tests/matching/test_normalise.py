"""How people write Indian trade names, and what the normaliser makes of it."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from matching.normalise import NormalName, canonical_city, normalise
from matching.phonetic import fold_token, skeleton
from matching.words import clean_text, fold_unicode


def same_name(a: str, b: str) -> bool:
    na, nb = normalise(a), normalise(b)
    return na.folded_tokens == nb.folded_tokens and na.legal_form == nb.legal_form


@pytest.mark.parametrize(
    ("written", "core", "legal_form"),
    [
        ("Shree Balaji Traders Private Limited", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Pvt Ltd", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Pvt. Ltd.", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders (P) Ltd", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders P. Ltd", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Pvt.Ltd.", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Private Ltd", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Limited Private", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Ltd (P)", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Privtae Limited", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Pvt. Lmiited", "shree balaji traders", "Private Limited"),
        ("Shree Balaji Traders Ltd.", "shree balaji traders", "Limited"),
        ("Shree Balaji Traders Limited", "shree balaji traders", "Limited"),
        ("Shree Balaji Traders Ldt.", "shree balaji traders", "Limited"),
        ("Shree Balaji Traders LLP", "shree balaji traders", "LLP"),
        ("Shree Balaji Traders L.L.P.", "shree balaji traders", "LLP"),
        ("Shree Balaji Traders Llp", "shree balaji traders", "LLP"),
        ("Shree Balaji Traders Limited Liability Partnership", "shree balaji traders", "LLP"),
        ("Shree Balaji Traders (OPC) Private Limited", "shree balaji traders", "OPC"),
        ("Shree Balaji Traders & Co.", "shree balaji traders", "& Co"),
        ("Shree Balaji Traders and Company", "shree balaji traders", "& Co"),
        ("Shree Balaji Traders & Sons", "shree balaji traders", "& Sons"),
        ("Shree Balaji Traders & Son's", "shree balaji traders", "& Sons"),
        ("Shree Balaji Traders and Assoc.", "shree balaji traders", "& Associates"),
        ("Shree Balaji Traders Bros.", "shree balaji traders", "Brothers"),
        ("Shree Balaji Traders Brother's", "shree balaji traders", "Brothers"),
        ("Shree Balaji Traders Brothres", "shree balaji traders", "Brothers"),
    ],
)
def test_legal_form_is_taken_out_of_the_core(written: str, core: str, legal_form: str) -> None:
    name = normalise(written)
    assert name.core == core
    assert name.legal_form == legal_form


@pytest.mark.parametrize(
    ("written", "core"),
    [
        ("Sharma Enterprises", "sharma enterprises"),
        ("Sharma Traders", "sharma traders"),
        ("Sharma Industries", "sharma industries"),
        ("Naidu Trading Co", "naidu trading company"),
        ("Vaishno Transport Co & Associates", "vaishno transport company"),
        ("Private Label Foods", "private label foods"),
        ("Limited", "limited"),
    ],
)
def test_trade_words_and_name_words_stay_in_the_core(written: str, core: str) -> None:
    assert normalise(written).core == core


@pytest.mark.parametrize(
    "written",
    [
        "M/s Shree Balaji Traders",
        "M/S. Shree Balaji Traders",
        "M/s. Shree Balaji Traders",
        "Messrs Shree Balaji Traders",
        "M/S Shree Balaji Traders",
        "m/s shree balaji traders",
        "M / S Shree Balaji Traders",
        "Shree Balaji M/s. Traders",
        "M/ Shree Balaji Traders",
    ],
)
def test_ms_prefix_is_dropped(written: str) -> None:
    assert normalise(written).core == "shree balaji traders"


def test_initials_written_ms_are_kept() -> None:
    assert normalise("M.S. Traders").core == "ms traders"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ram & Shyam Traders", "Ram and Shyam Traders"),
        ("Patel Agencies & Sons", "Patel Agencies and Sons"),
        ("Patel Agencies & Sons", "Patel Agencies + Sons"),
    ],
)
def test_ampersand_and_and_are_alike(a: str, b: str) -> None:
    assert same_name(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("A.B.C. Textiles", "ABC Textiles"),
        ("A.B.C. Textiles", "A B C Textiles"),
        ("A. B. C. Textiles", "abc textiles"),
        ("J.A. Paints", "JA Paints"),
        ("J. A. Paints", "J A Paints"),
    ],
)
def test_initials_with_or_without_dots_and_spaces(a: str, b: str) -> None:
    assert same_name(a, b)


@pytest.mark.parametrize(
    "family",
    [
        ["Shree", "Shri", "Sri", "Sree", "Shreee"],
        ["Laxmi", "Lakshmi", "Luxmi"],
        ["Mahalaxmi", "Mahalakshmi"],
        ["Agarwal", "Aggarwal", "Agrawal", "Agarwala", "Agarwalla"],
        ["Saraswati", "Saraswathi", "Sarasvati", "Saraswathy"],
        ["Ganesh", "Ganesha"],
        ["Krishna", "Krisna", "Krishn", "Krushna"],
        ["Balaji", "Baalaji", "Balajee"],
        ["Thakkar", "Thakar"],
        ["Kapoor", "Kapur"],
        ["Mukherjee", "Mukerji", "Mukherji"],
        ["Banerjee", "Banerji"],
        ["Chokshi", "Choksi", "Chokshy"],
        ["Goyal", "Goel"],
        ["Jai", "Jay"],
        ["Radhe", "Radhey"],
        ["Vinayak", "Vinaayak"],
        ["Venkateswara", "Venkateshwara"],
        ["Om", "Aum"],
        ["Singhal", "Singal"],
        ["Siddhi", "Sidhi"],
        ["Vishwakarma", "Vishvakarma"],
        ["Chaudhary", "Choudhary", "Chowdhury", "Chaudhari"],
    ],
)
def test_transliteration_families_fold_together(family: list[str]) -> None:
    folded = {fold_token(word.lower()) for word in family}
    assert len(folded) == 1, folded


@pytest.mark.parametrize(("a", "b"), [("Sharma", "Verma"), ("Patel", "Goyal"), ("Shah", "Jain")])
def test_different_names_do_not_fold_together(a: str, b: str) -> None:
    assert fold_token(a.lower()) != fold_token(b.lower())


def test_skeleton_survives_a_dropped_vowel() -> None:
    assert skeleton(fold_token("bajrang")) == skeleton(fold_token("bajarang"))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Steels", "Steel"),
        ("Agencies", "Agency"),
        ("Distributors", "Distributers"),
        ("Vastralaya", "Vastra Bhandar"),
        ("Engg. Works", "Engineering Works"),
        ("Ent.", "Enterprises"),
    ],
)
def test_trade_word_variants_fold_together(a: str, b: str) -> None:
    assert normalise(a).folded_tokens == normalise(b).folded_tokens


@pytest.mark.parametrize(
    "written",
    [
        "durga  hardware private limited,",
        "DURGA HARDWARE PRIVATE LIMITED",
        "Durga Hardware Private Limited.",
        "  Durga-Hardware Private Limited ",
        "Dúrga Hardwàre Private Limited",
        "Ｄｕｒｇａ Hardware Private Limited",
        "\u201cDurga\u201d Hardware Private Limited",
    ],
)
def test_punctuation_case_and_unicode(written: str) -> None:
    assert same_name(written, "Durga Hardware Private Limited")


@pytest.mark.parametrize(
    ("written", "city"),
    [
        ("Rao Textiles Pune", "pune"),
        ("Rao Textiles, Pune", "pune"),
        ("Rao Textiles (Pune)", "pune"),
        ("Rao Textiles - New Delhi", "new delhi"),
        ("Rao Textiles Pvt Ltd, Bangalore", "bengaluru"),
    ],
)
def test_trailing_city_is_removed_and_kept_as_a_hint(written: str, city: str) -> None:
    name = normalise(written)
    assert name.core == "rao textiles"
    assert name.city_hint == city


@pytest.mark.parametrize("written", ["Pune Steel Traders", "Ganesh Pune"])
def test_a_city_that_is_part_of_the_name_stays(written: str) -> None:
    assert "pune" in normalise(written).tokens


@pytest.mark.parametrize(
    ("written", "owner"),
    [
        ("Sharma Traders (Prop. Ramesh Sharma)", "ramesh sharma"),
        ("Sharma Traders (Prop: Ramesh Sharma)", "ramesh sharma"),
        ("Sharma Traders Prop. Ramesh Sharma", "ramesh sharma"),
        ("Sharma Traders, Proprietor R. K. Sharma", "r. k. sharma"),
    ],
)
def test_proprietor_note_is_removed(written: str, owner: str) -> None:
    name = normalise(written)
    assert name.core == "sharma traders"
    assert name.owner == owner


@pytest.mark.parametrize(
    "written", ["M/s Owner Traders", "M/s. Owner Traders", "Ms. Owner Traders"]
)
def test_a_name_starting_with_owner_after_ms_is_a_name_not_a_note(written: str) -> None:
    name = normalise(written)
    assert (name.core, name.owner) == ("owner traders", None)


@pytest.mark.parametrize(
    ("written", "core", "tokens"),
    [
        ("T.H.E. Traders", "t h e traders", ("the", "traders")),
        ("T H E Traders", "t h e traders", ("the", "traders")),
        ("Sharma A.N.D. Traders", "sharma a n d traders", ("sharma", "and", "traders")),
        ("O.F. Traders", "o f traders", ("of", "traders")),
        ("The Traders", "traders", ("traders",)),
    ],
)
def test_initials_spelling_a_connector_are_initials(
    written: str, core: str, tokens: tuple[str, ...]
) -> None:
    """ "T.H.E. Traders" is a name of its own, not "The Traders" (nor "Traders")."""
    name = normalise(written)
    assert (name.core, name.tokens) == (core, tokens)
    again = normalise(name.core)
    assert (again.core, again.tokens, again.initials) == (name.core, name.tokens, name.initials)


def test_properties_is_not_a_proprietor_note() -> None:
    assert normalise("Sharma Properties").core == "sharma properties"


def test_devanagari_meets_latin_spelling() -> None:
    assert normalise("श्री गणेश").folded_tokens == normalise("Shree Ganesh").folded_tokens


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Deccan Paints Limited Private", "Deccan Paints Private Limited"),
        ("UMIYA LLP FASTENERS", "Umiya Fasteners LLP"),
        ("m/s. oswal marbles son's &", "Oswal Marbles & Sons"),
    ],
)
def test_shuffled_legal_words_are_still_legal(a: str, b: str) -> None:
    assert same_name(a, b)


@pytest.mark.parametrize(
    ("written", "core", "legal_form"),
    [
        # "Ind" is the short form of Industries, not "and" mistyped...
        ("Sharma Ind Associates", "sharma industries", "& Associates"),
        ("Sharma Ind. & Sons", "sharma industries", "& Sons"),
        ("Ind. Associates", "industries", "& Associates"),
        # ...which other words one letter from "and" still are, before a firm word.
        ("Ram anc Sons", "ram", "& Sons"),
        ("Ram n Sons", "ram", "& Sons"),
    ],
)
def test_ind_is_industries_even_before_a_firm_word(
    written: str, core: str, legal_form: str
) -> None:
    name = normalise(written)
    assert (name.core, name.legal_form) == (core, legal_form)
    assert normalise(name.core).core == name.core


def test_ind_before_a_firm_word_finds_the_industries() -> None:
    assert same_name("Sharma Ind Associates", "Sharma Industries Associates")
    assert not same_name("Sharma Ind Associates", "Sharma Associates")


WORDS = st.sampled_from(
    [
        "Shree",
        "Balaji",
        "Marwar",
        "Textiles",
        "Traders",
        "Agarwal",
        "Ganesh",
        "Steel",
        "Rao",
        "J.K.",
        "A B",
        "Om",
        "Sai",
        "Krishna",
        "Pune",
        "Co",
        "Sons",
        "&",
        "and",
        "Private",
        "Op",
        "Operative",
        "Coop",
        "T.H.E.",
        "C.O.",
        "Owner",
        "M/s",
    ]
)
NAMES = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
LEGAL_VARIANTS = [
    ("Private Limited", "Pvt. Ltd.", "(P) Ltd", "Pvt Ltd", "P. Ltd"),
    ("Limited", "Ltd.", "Ltd"),
    ("LLP", "L.L.P.", "Llp"),
    ("& Co", "and Company", "& Co."),
    ("& Sons", "and Sons", "& Son's"),
]


@settings(max_examples=300, deadline=None)
@given(NAMES | st.text(max_size=40))
def test_normalising_the_core_is_idempotent(written: str) -> None:
    core = normalise(written).core
    assert normalise(core).core == core


@pytest.mark.parametrize(
    "written",
    [
        "C.O.",
        "C O Traders",
        "Sharma C.O. Traders",
        "Balaji C O",
        "C.O. Trading Co",
        "Balaji E.N.T.",
        "Ram M.K.T.",
        "C.O.R.P. Traders",
        "I.N.D.S. Traders",
        "R.E.G.D. Traders",
    ],
)
def test_initials_spelling_an_abbreviation_keep_their_core(written: str) -> None:
    name = normalise(written)
    again = normalise(name.core)
    assert again.core == name.core
    assert again.tokens == name.tokens


@pytest.mark.parametrize(
    ("written", "core", "tokens", "initials"),
    [
        # Starting a name, "Co" is the initials C.O. however it is typed: no business is
        # called Company Traders, and a trader who types "CO Traders" wants C.O. Traders.
        ("C.O. Traders", "co traders", ("co", "traders"), {"co"}),
        ("C O Traders", "co traders", ("co", "traders"), {"co"}),
        ("CO Traders", "co traders", ("co", "traders"), set()),
        ("Co. Traders", "co traders", ("co", "traders"), set()),
        ("Co-operative Society", "cooperative society", ("cooperative", "society"), set()),
        # After a name it is the word company, dotted or not, at the end or not...
        ("Naidu Trading Co", "naidu trading company", ("naidu", "trading", "company"), set()),
        ("Shah Co. Transport", "shah company transport", ("shah", "company", "transport"), set()),
        ("C.O. Trading Co", "co trading company", ("co", "trading", "company"), {"co"}),
        # ...so initials there are spelled letter by letter in the core, which reads back
        # as the same initials.
        ("Sharma C.O. Traders", "sharma c o traders", ("sharma", "co", "traders"), {"co"}),
        ("Balaji C O", "balaji c o", ("balaji", "co"), {"co"}),
    ],
)
def test_co_is_initials_starting_a_name_and_company_after_one(
    written: str, core: str, tokens: tuple[str, ...], initials: set[str]
) -> None:
    name = normalise(written)
    assert (name.core, name.tokens, name.initials) == (core, tokens, initials)


@pytest.mark.parametrize(
    "written",
    [
        "Sharma Traders.Prop. Ramesh",
        "Sharma Traders(Prop. Ramesh)",
        "Sharma Traders (Prop. Ramesh) (Prop. Suresh)",
        "Balaji Marbles (I).Owner Ramesh",
    ],
)
def test_a_proprietor_note_after_any_mark_is_removed(written: str) -> None:
    name = normalise(written)
    assert name.owner == "ramesh"
    assert "ramesh" not in name.core and "prop" not in name.core
    assert normalise(name.core).core == name.core


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Shree",
                "Balaji",
                "Marwar",
                "Textiles",
                "Agarwal",
                "Ganesh",
                "Steel",
                "Rao",
                "J.K.",
                "Kirana",
                "Om",
            ]
        ),
        min_size=2,
        max_size=4,
    ).map(" ".join),
    st.sampled_from(LEGAL_VARIANTS),
    st.sampled_from(["", "M/s ", "M/S. ", "Messrs "]),
)
def test_legal_form_and_ms_variants_normalise_alike(
    core: str, variants: tuple[str, ...], prefix: str
) -> None:
    expected = normalise(f"{core} {variants[0]}")
    # "J.K. P. Ltd" is read as the initials J.K.P.: a lone P after initials is ambiguous.
    assume(not core.endswith("J.K."))
    for variant in variants:
        name = normalise(f"{prefix}{core} {variant}")
        assert name.core == expected.core
        assert name.folded_tokens == expected.folded_tokens
        assert name.legal_form == expected.legal_form


@pytest.mark.parametrize(
    ("city", "canonical"),
    [
        ("Bangalore", "bengaluru"),
        ("BENGALURU", "bengaluru"),
        ("Gurgaon", "gurugram"),
        ("New  Delhi", "new delhi"),
        ("", None),
        (None, None),
    ],
)
def test_canonical_city(city: str | None, canonical: str | None) -> None:
    assert canonical_city(city) == canonical


@given(NAMES | st.text(max_size=60))
def test_an_encoded_name_decodes_to_the_same_name(written: str) -> None:
    name = normalise(written)
    assert NormalName.decode(name.encode()) == name


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_text_is_left_as_the_unicode_folding_would_leave_it(text: str) -> None:
    """`clean_text` skips the Unicode folding for ASCII text, which must not change it."""
    assert fold_unicode(text) == text


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("Caf\u00e9 &amp; Co", "cafe & co"),  # an entity, and an accent
        ("Ram &eacute; Sons", "ram e sons"),  # an entity that decodes to a non-ASCII letter
        ("\uff21\uff22\uff23 Traders", "abc traders"),  # full-width letters
        ("M/s `Ram` Traders", "m/s 'ram' traders"),  # an ASCII quote made plain
    ],
)
def test_clean_text_folds_what_is_not_ascii(written: str, clean: str) -> None:
    assert clean_text(written) == clean
