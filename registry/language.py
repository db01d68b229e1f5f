"""Languages and the Indian way of writing dates: one catalogue of translations shared by
the portal, the emails, the SMS and WhatsApp texts and the PDF.

English is the source language; each other language is a catalogue in
`registry/translations/<code>/LC_MESSAGES/messages.po`. A translator adds Marathi,
Gujarati, Tamil or Bengali by adding a catalogue (README, "Languages"): `available()`
finds it, and no code changes.

Dates read the Indian way in every language: day first, the month in words, "4 Dec 2026";
times in Indian Standard Time. Internal names (`in_notice`, `wrong_amount`) never reach a
reader: `words()` gives the human words for every state and reason.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from functools import lru_cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

CATALOGUES = Path(__file__).with_name("translations")
SOURCE = "en"
#: The languages of a message to someone whose language the registry does not know (a
#: debtor, a claimant, a privacy requester), in the order they are written.
BOTH = ("en", "hi")
INDIA = "Asia/Kolkata"


class Said(str):
    """A message made from a catalogue text and its values: it reads, and serialises, as
    the English text (the JSON API answers in English), and a page shows `template`
    translated, filled with `values` (`portal.i18n.said`); a date among the values reads
    the Indian way in each language. Write it as
    `Said(N_("... %(name)s ..."), name=value)` so the catalogue picks the text up."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Said:
        shown = {k: _value_in(v, SOURCE) for k, v in values.items()}
        made = super().__new__(cls, template % shown if values else template)
        made.template = template
        made.values = values
        return made


def said_in(message: str, code: str = SOURCE) -> str:
    """`message` in the language `code`: a `Said`'s text translated and filled with its
    values (a date the Indian way, a state or reason in words, a `Said` likewise); any
    other text translated when the catalogue has it."""
    if isinstance(message, Said):
        values = {k: _value_in(v, code) for k, v in message.values.items()}
        return translate(code, message.template, **values)
    return translate(code, message)


def _value_in(value: Any, code: str) -> Any:
    if isinstance(value, Said):
        return said_in(value, code)
    if isinstance(value, date):
        return day(value, code)
    if isinstance(value, enum.Enum):
        return words(value, code)
    return value


def as_said(message: str) -> Said:
    """`message` as a `Said` (a plain catalogue text becomes one without values)."""
    return message if isinstance(message, Said) else Said(message)


def stored(value: Any) -> Any:
    """`value` (JSON-shaped data) with every `Said` in it kept as its text and values, so a
    page can still translate it after it has been stored as JSON (`json.dumps` alone would
    keep only the English). `restored` undoes it."""
    if isinstance(value, Said):
        return {"__said__": value.template, "values": stored(value.values)}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, dict):
        return {k: stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [stored(v) for v in value]
    return value


def restored(value: Any) -> Any:
    """Data read back from JSON that `stored` wrote, with its messages as `Said` again."""
    if isinstance(value, dict):
        if value.keys() == {"__said__", "values"}:
            return Said(value["__said__"], **restored(value["values"]))
        if value.keys() == {"__date__"}:
            return date.fromisoformat(value["__date__"])
        return {k: restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restored(v) for v in value]
    return value


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it here (it is translated
    where it is shown, in the reader's language)."""
    return message


@lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """English, then every language with a catalogue, in code order."""
    found = sorted(
        p.name for p in CATALOGUES.iterdir() if (p / "LC_MESSAGES" / "messages.po").exists()
    )
    return (SOURCE, *[code for code in found if code != SOURCE and _known(code)])


def _known(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def chosen(code: str | None) -> str:
    """`code` when the registry speaks it, else English."""
    return code if code in available() else SOURCE


@lru_cache(maxsize=16)
def translations(code: str) -> NullTranslations:
    """The catalogue of `code`, read from its `.po` file (compiled in memory once per
    process, so there is no build step to forget and no stale `.mo`)."""
    if chosen(code) == SOURCE:
        return NullTranslations()
    with (CATALOGUES / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


def translate(code: str, message: str, **values: Any) -> str:
    text = translations(code).gettext(message)
    return text % values if values else text


def html_lang(code: str) -> str:
    """The page's `<html lang>`: English as written in India, other languages as such."""
    return "en-IN" if code == SOURCE else code


def _babel_locale(code: str) -> str:
    return f"{code}_IN"


def day(value: date | datetime | None, code: str = SOURCE) -> str:
    """4 Dec 2026 (in Hindi 4 दिस॰ 2026): a date, or the Indian date of a time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _in_india(value).date()
    return format_date(value, "d MMM y", locale=_babel_locale(code))


def moment(value: datetime | None, code: str = SOURCE) -> str:
    """4 Dec 2026, 3:45 pm IST: a time as a reader in India reads it."""
    if value is None:
        return ""
    at = value if value.tzinfo else value.replace(tzinfo=UTC)
    text = format_datetime(
        at, "d MMM y, h:mm a", tzinfo=ZoneInfo(INDIA), locale=_babel_locale(code)
    )
    return f"{text} IST"


def _in_india(value: datetime) -> datetime:
    at = value if value.tzinfo else value.replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo(INDIA))


#: Human words for the values of every state and reason a reader meets.
WORDS: dict[str, str] = {
    # complaints
    "filed": N_("filed"),
    "in_notice": N_("in its notice period"),
    "listed": N_("listed"),
    "disputed": N_("disputed"),
    "settled": N_("settled, nothing outstanding"),
    "removed": N_("removed"),
    "withdrawn": N_("withdrawn"),
    # dispute reasons
    "already_paid": N_("already paid"),
    "not_delivered": N_("goods or services not delivered"),
    "wrong_amount": N_("wrong amount"),
    "not_our_business": N_("not our business"),
    "other": N_("other reason"),
    # disputes
    "open": N_("open, awaiting a decision"),
    "upheld": N_("upheld"),
    "rejected": N_("rejected"),
    "corrected": N_("corrected"),
    "closed": N_("closed without a decision"),
    # orders
    "pending": N_("awaiting payment"),
    "paid": N_("paid"),
    "failed": N_("payment failed"),
    "expired": N_("checkout expired unpaid"),
    "refunded": N_("refunded"),
    # members (a key "EnumName.value" wins over the bare value)
    "MemberStatus.pending": N_("awaiting verification"),
    "MemberStatus.rejected": N_("application refused"),
    "active": N_("active"),
    "suspended": N_("suspended"),
    # duplicate pairs
    "PairStatus.open": N_("to review"),
    "merged": N_("merged"),
    "dismissed": N_("not the same business"),
    # MSME categories
    "micro": N_("micro enterprise"),
    "small": N_("small enterprise"),
    "medium": N_("medium enterprise"),
    "none": N_("not an MSME"),
    # where a business's other name came from (BusinessAlias.source)
    "alias.import": N_("from the directory"),
    "alias.filing_identified": N_("from a filing that gave its GSTIN or PAN"),
    "alias.filing_matched": N_("from a filing, close to its names"),
    "alias.filing_unjudged": N_("from an early filing, waiting to be re-judged"),
    "alias.admin": N_("added by an admin"),
    "alias.merge": N_("from a merge"),
    # what an audit row is about (AuditEntry.entity_type)
    "entity.complaint": N_("complaint"),
    "entity.dispute": N_("dispute"),
    "entity.member": N_("member"),
    "entity.order": N_("order"),
    "entity.api_key": N_("API key"),
    "entity.user": N_("user"),
    "entity.business": N_("business"),
    "entity.import": N_("import"),
    "entity.business_claim": N_("claim of a business"),
    "entity.outbox_message": N_("message"),
    "entity.duplicate_queue": N_("duplicates queue"),
    "entity.privacy_request": N_("privacy request"),
    # who acted, when not a user (`registry.actors`: an actor's label)
    "actor.registry": N_("registry"),
    "actor.payment gateway": N_("payment gateway"),
    "actor.reported business (notice link)": N_("reported business (notice link)"),
    # what an applicant proves (MemberDocument.kind)
    "gst_certificate": N_("GST registration certificate"),
    "udyam_certificate": N_("Udyam certificate"),
    # imports
    "uploaded": N_("uploaded"),
    "previewed": N_("previewed"),
    "filing": N_("filing"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    # claims
    "approved": N_("approved"),
    # privacy requests
    "access": N_("access"),
    "correction": N_("correction"),
    "erasure": N_("erasure"),
    # what a complaint's history shows (audit actions)
    "transition": N_("status changed"),
    "reminder_sent": N_("reminder sent"),
    "promised_payment": N_("payment promised"),
    # the other audit actions (the admin's audit log and a dispute's history)
    "admin_created": N_("admin created"),
    "alias_added": N_("other name added"),
    "alias_rejudged": N_("other name judged again"),
    "alias_removed": N_("other name removed from search"),
    "answered": N_("answered"),
    "applied": N_("applied"),
    "awaiting_payment": N_("awaiting payment"),
    "claim_ended": N_("claim ended"),
    "claim_started": N_("claim started"),
    "claimed": N_("claimed"),
    "clock_reminder": N_("admins reminded of the deadline"),
    "created": N_("created"),
    "decided": N_("decided"),
    "deleted": N_("deleted"),
    "merge_undone": N_("merge undone"),
    "merged_away": N_("merged into another business"),
    "not_duplicate": N_("marked not a duplicate"),
    "opened": N_("opened"),
    "overdue": N_("overdue"),
    "reindexed": N_("search index rebuilt"),
    "revoked": N_("revoked"),
    "submitted": N_("submitted"),
    "verified": N_("verified"),
    # what an invalid move names ("A complaint that is listed cannot become withdrawn.")
    "complaint": N_("complaint"),
    "dispute": N_("dispute"),
    "import": N_("import"),
    "claim": N_("claim"),
    "order": N_("order"),
    "merge": N_("merge"),
    "promised payment": N_("promised payment"),
    "decided after a dispute": N_("decided after a dispute"),
    "disputed again": N_("disputed again"),
    "changed": N_("changed"),
    "undone": N_("undone"),
    "undone again": N_("undone again"),
}


def words(value: enum.Enum | str | None, code: str = SOURCE) -> str:
    """The human words for a state or reason, in the reader's language; an unknown value
    reads as itself with spaces, never with underscores."""
    if value is None:
        return ""
    key = value.value if isinstance(value, enum.Enum) else str(value)
    qualified = f"{type(value).__name__}.{key}" if isinstance(value, enum.Enum) else key
    source = WORDS.get(qualified) or WORDS.get(key)
    if source is None:
        return key.replace("_", " ")
    return translate(code, source)


def of_user(user: Any) -> str:
    """The language a user chose in the portal (English if none, or one no longer
    offered): the language of the emails to it."""
    return chosen(getattr(user, "language", None))


def of_member(member: Any) -> str:
    """The language of the emails to a member's contact address: that of the member's
    user with that address, else of its first user who chose one, else English."""
    users = sorted(member.users, key=lambda u: (u.email != member.contact_email, u.id))
    for user in users:
        if user.language:
            return of_user(user)
    return SOURCE
