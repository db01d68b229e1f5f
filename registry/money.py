"""Amounts as Indian readers write them: the last three digits, then groups of two
(lakh, crore), so ₹12,34,567.00 rather than ₹1,234,567.00.

The one formatter of rupee amounts for pages, emails, messages and the PDF report. No
installed library does it (Python's `format` groups by threes, and Babel, whose `en_IN`
locale would, is not a dependency), so it is this small tested function.
"""

from __future__ import annotations


def indian_grouping(whole: int) -> str:
    """A non-negative whole number with Indian digit grouping: 1234567 → '12,34,567'."""
    if whole < 0:
        raise ValueError("group the magnitude; the caller places the sign")
    digits = str(whole)
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while head:
        pairs.append(head[-2:])
        head = head[:-2]
    return ",".join([*reversed(pairs), tail])


def rupees(paise: int | None, symbol: str = "₹") -> str:
    """`paise` as rupees with two decimals: 123456789 → '₹12,34,567.89'; a negative amount
    reads '-₹5.00' (the sign before the symbol, as in CLDR's en_IN); None reads '₹0.00'."""
    value = int(paise or 0)
    whole, fraction = divmod(abs(value), 100)
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{indian_grouping(whole)}.{fraction:02d}"


def rupees_in_brief(paise: int | None) -> str:
    """`rupees`, without ".00" when the amount is whole rupees (₹4,00,000): for a text
    where every character counts (a Hindi SMS has 134 in two segments)."""
    text = rupees(paise)
    return text[:-3] if text.endswith(".00") else text
