"""How many SMS segments a text takes, and shortening a text to fit.

A text in the GSM-7 alphabet fits 160 characters in one segment, 153 per segment when
split (the rest carries the joining header); the characters of the extension table count
twice. Anything else (Devanagari, ₹, emoji) is sent as UCS-2: 70 in one, 67 per segment
when split, counted in UTF-16 code units."""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
MAX_SEGMENTS = 2


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def count_segments(text: str) -> Segments:
    if is_gsm7(text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    count = 1 if units <= single else -(-units // multi)
    return Segments(encoding, units, count)


def fit_sms(text: str, link: str, max_segments: int = MAX_SEGMENTS) -> str:
    """`text`, then a space and `link`, shortened (text only, never the link) with "..."
    so the whole fits `max_segments` segments."""
    whole = f"{text} {link}"
    if count_segments(whole).count <= max_segments:
        return whole
    words = text.split()
    while words:
        words.pop()
        candidate = f"{' '.join(words)}... {link}"
        if count_segments(candidate).count <= max_segments:
            return candidate
    if count_segments(link).count > max_segments:
        raise ValueError("the link alone does not fit an SMS")
    return link


def fit_sms_alone(text: str, max_segments: int = MAX_SEGMENTS) -> str:
    """`text` shortened at a word with "..." so it fits `max_segments` segments."""
    if count_segments(text).count <= max_segments:
        return text
    words = text.split()
    while len(words) > 1:
        words.pop()
        candidate = f"{' '.join(words)}..."
        if count_segments(candidate).count <= max_segments:
            return candidate
    return text[: 60 if not is_gsm7(text) else 150] + "..."
