"""Who a notice reaches, and sending it to each by the channels that reach them: an email
address by email, a mobile number by SMS and WhatsApp.

`notice_recipients`: the complaint's own email and mobile (the reporter gave them, they
belong to this complaint only) and the business's own contacts (email, mobile) when they
come from an authoritative source: a directory load or the claimed business itself.
`tell_debtor` sends a later message about the complaint (a decision, a withdrawal) the
same ways. Every message to a debtor is written in English and Hindi (`in_both`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from registry import outbox
from registry.channels.segments import fit_sms, fit_sms_alone
from registry.channels.templates import template_kind
from registry.language import BOTH, SOURCE
from registry.models import Business, Complaint

Kind = Literal["email", "mobile"]


@dataclass(frozen=True)
class Recipient:
    kind: Kind
    address: str  # a normalised email, or a mobile in E.164 (+91...)
    source: str  # where it came from: "complaint", "business", ...


@dataclass(frozen=True)
class Version:
    """One language's wording of a message to a debtor: the email's subject and body, the
    sentence its SMS and WhatsApp carry, and the link they end with (None: no link)."""

    code: str
    subject: str
    body: str
    short: str
    link: str | None = None
    #: The WhatsApp sentence when it differs from the SMS one (which may be shorter, to
    #: fit two UCS-2 segments with the link).
    chat: str | None = None


#: The languages every message to a debtor is written in, in the order they are written:
#: the debtor may read either.
DEBTOR_LANGUAGES = BOTH


def in_both(write: Callable[[str], Version]) -> list[Version]:
    """A message to a debtor written once per language of `DEBTOR_LANGUAGES`."""
    return [write(code) for code in DEBTOR_LANGUAGES]


#: Where a business's own contacts may come from; anything else (an email a filing once
#: stored on the business, before 0019) reaches no notice.
AUTHORITATIVE = frozenset({"import", "business"})


def own_contacts(business: Business) -> list[Recipient]:
    """The business's own contacts on record from an authoritative source."""
    if business.contacts_source not in AUTHORITATIVE:
        return []
    found: list[Recipient] = []
    if business.email:
        found.append(Recipient("email", business.email, business.contacts_source))
    if business.mobile:
        found.append(Recipient("mobile", business.mobile, business.contacts_source))
    return found


def notice_recipients(session: Session, complaint: Complaint) -> list[Recipient]:
    found: list[Recipient] = []
    if complaint.debtor_email:
        found.append(Recipient("email", complaint.debtor_email, "complaint"))
    if complaint.debtor_mobile:
        found.append(Recipient("mobile", complaint.debtor_mobile, "complaint"))
    for own in own_contacts(complaint.business):
        if (own.kind, own.address.lower()) not in {(r.kind, r.address.lower()) for r in found}:
            found.append(own)
    return found


def complaint_recipients(complaint: Complaint) -> list[Recipient]:
    """The contacts the reporter gave on this complaint: where later messages about it go."""
    found: list[Recipient] = []
    if complaint.debtor_email:
        found.append(Recipient("email", complaint.debtor_email, "complaint"))
    if complaint.debtor_mobile:
        found.append(Recipient("mobile", complaint.debtor_mobile, "complaint"))
    return found


def tell_debtor(
    session: Session, complaint: Complaint, kind: str, versions: Sequence[Version]
) -> int:
    """A message to the debtor about its complaint, in every version (language) given, by
    every channel that reaches it."""
    return fan_out(session, complaint_recipients(complaint), kind, versions)


def gsm_rupees(text: str) -> str:
    """ "Rs" for "₹": the rupee sign is not in the GSM-7 alphabet, and one would make the
    whole English SMS UCS-2 (134 characters in two segments instead of 306), cutting the
    amount it is about."""
    return text.replace("₹", "Rs ")


def fan_out(
    session: Session, recipients: list[Recipient], kind: str, versions: Sequence[Version]
) -> int:
    """Queue one message per recipient and channel, in every language of `versions`:

    - one email, its subjects joined by " / " and its bodies one after the other;
    - to a mobile, one SMS per language, each of at most two segments ending with its
      version's link. A Hindi text is UCS-2 (67 characters a segment), so English and
      Hindi together with a link do not fit two segments: each language goes alone, the
      English one staying GSM-7 (153 a segment);
    - and one WhatsApp message (no segment limit) with every version's sentence, then the
      first version's link.

    Each goes out through its own outbox row. Returns how many rows were queued."""
    queued = 0
    seen: set[tuple[str, str]] = set()
    subject = " / ".join(dict.fromkeys(v.subject for v in versions))
    body = "\n\n---\n\n".join(v.body for v in versions)
    chat = "\n\n".join(v.chat or v.short for v in versions)
    if versions and versions[0].link:
        chat = f"{chat}\n\n{versions[0].link}"
    for recipient in recipients:
        if (recipient.kind, recipient.address) in seen:
            continue
        seen.add((recipient.kind, recipient.address))
        if recipient.kind == "email":
            outbox.queue_email(session, kind, recipient.address, subject, body)
            queued += 1
            continue
        for v in versions:
            short = gsm_rupees(v.short) if v.code == SOURCE else v.short
            sms = fit_sms(short, v.link) if v.link else fit_sms_alone(short)
            template = template_kind(kind, v.code)
            outbox.queue_text(session, "sms", kind, recipient.address, sms, template)
            queued += 1
        outbox.queue_text(session, "whatsapp", kind, recipient.address, chat, kind)
        queued += 1
    return queued
