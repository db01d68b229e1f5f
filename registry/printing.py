"""Printed documents (the credit report, tax invoices): fpdf2 with the Noto fonts shipped
in `registry/fonts` (SIL Open Font License, see `OFL.txt` there).

fpdf2's built-in fonts cover Latin-1 only: "₹" became "Rs." and a Devanagari name was left
out. With Noto Sans embedded (subset) and Noto Sans Devanagari as its fallback, every
character prints, and text shaping (HarfBuzz) joins Devanagari conjuncts and vowel signs as
a reader expects. The fonts carry their Unicode maps, so the text can be copied out.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).with_name("fonts")
FAMILY = "NotoSans"
_FACES = {
    FAMILY: ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "NotoSansDevanagari": ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
}


class Document(FPDF):
    """An A4 page set in Noto Sans, falling back to Noto Sans Devanagari."""

    def __init__(self) -> None:
        super().__init__(format="A4")
        for family, (regular, bold) in _FACES.items():
            self.add_font(family, "", str(FONTS / regular))
            self.add_font(family, "B", str(FONTS / bold))
        self.set_fallback_fonts(["NotoSansDevanagari"], exact_match=False)
        self.set_text_shaping(True)
        self.set_font(FAMILY, size=10)
