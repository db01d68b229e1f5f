"""Who a notice reaches, and sending it to each by the channels that reach them: an email
address by email, a mobile number by SMS and WhatsApp.

`notice_recipients`: the complaint's own email and mobile (the reporter gave them, they
belong to this complaint only) and the business's own contacts (email, mobile) when they
come from an authoritative source: a directory load or the claimed business itself.
`tell_debtor` sends a later message about the complaint (a decision, a withdrawal) the
same ways."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from registry import outbox
from registry.channels.segments import fit_sms, fit_sms_alone
from registry.models import Business, Complaint

Kind = Literal["email", "mobile"]


@dataclass(frozen=True)
class Recipient:
    kind: Kind
    address: str  # a normalised email, or a mobile in E.164 (+91...)
    source: str  # where it came from: "complaint", "business", ...


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
    session: Session,
    complaint: Complaint,
    kind: str,
    subject: str,
    body: str,
    link: str | None,
) -> int:
    """A message to the debtor about its complaint by every channel that reaches it. The
    text messages carry the subject and, when the notice link still opens, the link."""
    return fan_out(session, complaint_recipients(complaint), kind, subject, body, subject, link)


def fan_out(
    session: Session,
    recipients: list[Recipient],
    kind: str,
    subject: str,
    body: str,
    short_text: str,
    link: str | None,
    whatsapp_text: str | None = None,
) -> int:
    """Queue one message per recipient and channel: the email as written; to a mobile, an
    SMS of at most two segments ending with `link`, and a WhatsApp message with the link
    (`whatsapp_text` when given, e.g. the text in both languages).
    Each goes out through its own outbox row. `kind` doubles as the provider template
    name. Returns how many rows were queued."""
    queued = 0
    seen: set[tuple[str, str]] = set()
    for recipient in recipients:
        if (recipient.kind, recipient.address) in seen:
            continue
        seen.add((recipient.kind, recipient.address))
        if recipient.kind == "email":
            outbox.queue_email(session, kind, recipient.address, subject, body)
            queued += 1
        else:
            sms = fit_sms(short_text, link) if link else fit_sms_alone(short_text)
            chat = whatsapp_text or short_text
            whatsapp = f"{chat}\n\n{link}" if link else chat
            outbox.queue_text(session, "sms", kind, recipient.address, sms, kind)
            outbox.queue_text(session, "whatsapp", kind, recipient.address, whatsapp, kind)
            queued += 2
    return queued
