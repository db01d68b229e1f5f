"""The provider templates each kind of text message is sent under.

In India every commercial SMS must name the sender's DLT entity (`SMS_DLT_ENTITY_ID`) and
the DLT template id its wording was registered under; WhatsApp business messages to a
person who has not written first must use a template the provider approved, filled with
parameters. Both are tables keyed by message kind (the outbox row's `kind`), configured
as `kind=value` pairs separated by commas (`SMS_DLT_TEMPLATES`, `WHATSAPP_TEMPLATES`);
a WhatsApp kind not listed uses `khata_<kind>`. A text in another language than English
goes under its own template, `<kind>_<code>` (`notice_hi`): DLT registers one wording in
one language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from registry import language

#: The kinds of text message the registry sends, each needing its own template.
KINDS = (
    "notice",
    "notice_reminder",
    "dispute_decided",
    "complaint_withdrawn",
    "complaint_settled",
    "report_pulled",
    "claim_code",
)


def template_kind(kind: str, code: str) -> str:
    """The template a text in language `code` goes under: `notice` in English, `notice_hi`
    in Hindi."""
    return kind if code == language.SOURCE else f"{kind}_{code}"


def _known_kind(kind: str) -> bool:
    if kind in KINDS:
        return True
    base, _, code = kind.rpartition("_")
    return base in KINDS and code in language.available() and code != language.SOURCE


_PAIR = re.compile(r"^([a-z_]+)=([A-Za-z0-9_.-]+)$")


class TemplateTableError(ValueError):
    """A template table that cannot be read; the message says which pair is wrong."""


def parse_table(text: str, name: str) -> dict[str, str]:
    """`notice=1107...,notice_reminder=1107...` as a dict (empty text: empty table)."""
    table: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _PAIR.match(part)
        if not match:
            raise TemplateTableError(f"{name}: '{part}' is not kind=template")
        kind, value = match.groups()
        if not _known_kind(kind):
            raise TemplateTableError(f"{name}: unknown message kind '{kind}' ({', '.join(KINDS)})")
        table[kind] = value
    return table


@dataclass(frozen=True)
class Templates:
    dlt_entity_id: str | None = None
    sms: Mapping[str, str] = field(default_factory=dict)
    whatsapp: Mapping[str, str] = field(default_factory=dict)
    whatsapp_language: str = "en"

    def dlt_template(self, kind: str | None) -> str | None:
        return self.sms.get(kind or "")

    def whatsapp_template(self, kind: str | None) -> str:
        kind = kind or "message"
        return self.whatsapp.get(kind, f"khata_{kind}")


def whatsapp_parameters(text: str) -> list[str]:
    """The template's parameters: the message and, when it ends with one, its link."""
    head, _, tail = text.rpartition("\n\n")
    if head and tail.startswith(("http://", "https://")) and " " not in tail:
        return [head, tail]
    return [text]
