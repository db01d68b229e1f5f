"""What the debtor reads: the notice and its reminders, and the MSMED interest shown in
them when the supplier is a micro or small enterprise. The notice goes out in English and
Hindi: the debtor may read either, and may ask for a notice in its language. The Hindi
half links to the notice page in Hindi (`?lang=hi`)."""

from __future__ import annotations

from datetime import date

from registry.complaints.msmed import msmed_interest
from registry.complaints.notices import links
from registry.complaints.notices.recipients import DEBTOR_LANGUAGES, Version
from registry.language import SOURCE, day, translate, words
from registry.models import Complaint, utcnow
from registry.money import rupees, rupees_in_brief
from registry.settings import PRODUCT_NAME, Settings

#: The languages of every notice, in the order they are written.
NOTICE_LANGUAGES = DEBTOR_LANGUAGES


def notice_link(settings: Settings, token: str, code: str = SOURCE) -> str:
    """The notice page; in a language other than English it opens in that language."""
    link = f"{settings.public_base_url}/notice/{token}"
    return link if code == SOURCE else f"{link}?lang={code}"


def open_notice_link(
    settings: Settings | None, complaint: Complaint, code: str = SOURCE
) -> str | None:
    """The complaint's notice link while it still opens (None without settings to make it,
    or when no notice was issued or the link has expired)."""
    expires = complaint.notice_expires_at
    if settings is None or not complaint.notice_nonce or expires is None or expires <= utcnow():
        return None
    return notice_link(settings, links.token_for(complaint, settings.secret_key), code)


def notice_email(
    settings: Settings, complaint: Complaint, token: str, today: date, reminder: int = 0
) -> tuple[str, str]:
    """The notice (or its `reminder`-th reminder): subject and body in both languages."""
    subject = " / ".join(_subject(code, complaint, reminder) for code in NOTICE_LANGUAGES)
    bodies = [_notice_lines(code, settings, complaint, token, today) for code in NOTICE_LANGUAGES]
    return subject, "\n\n---\n\n".join("\n".join(lines) for lines in bodies)


def _subject(code: str, complaint: Complaint, reminder: int) -> str:
    subject = translate(
        code, "Notice of unpaid invoices reported by %(member)s", member=complaint.member.name
    )
    if reminder:
        return translate(code, "Reminder %(number)s: %(subject)s", number=reminder, subject=subject)
    return subject


def _notice_lines(
    code: str, settings: Settings, complaint: Complaint, token: str, today: date
) -> list[str]:
    member = complaint.member
    business = complaint.business
    ends = (
        day(complaint.notice_ends_at, code) if complaint.notice_ends_at else translate(code, "soon")
    )
    lines = [
        translate(code, "To %(business)s,", business=business.name),
        "",
        translate(
            code,
            "%(member)s (GSTIN %(gstin)s) has reported to %(product)s that your business owes "
            "it %(amount)s on these invoices:",
            member=member.name,
            gstin=member.gstin,
            product=PRODUCT_NAME,
            amount=rupees(complaint.amount_outstanding_paise),
        ),
        "",
    ]
    for inv in complaint.invoices:
        invoice = translate(
            code,
            "%(number)s: dated %(dated)s, due %(due)s, %(billed)s billed, %(paid)s paid",
            number=inv.number,
            dated=day(inv.invoice_date, code),
            due=day(inv.due_date, code),
            billed=rupees(inv.amount_paise),
            paid=rupees(inv.paid_paise),
        )
        lines.append(f"  - {invoice}")
    interest = msmed_interest(settings, complaint, today)
    if interest is not None:
        total = sum(i.interest_paise for i in interest)
        lines += [
            "",
            translate(
                code,
                "%(member)s is a %(category)s. Under sections 15 and 16 of the MSMED Act, 2006, "
                "compound interest with monthly rests at three times the bank rate (%(rate)s%%) "
                "runs on late payments: %(interest)s as of %(today)s.",
                member=member.name,
                category=words(member.msme_category, code),
                rate=settings.msme_bank_rate_percent,
                interest=rupees(total),
                today=day(today, code),
            ),
        ]
    lines += [
        "",
        translate(
            code,
            "The complaint stays private until %(ends)s. Before then you can see the documents, "
            "pay, say by when you will pay, or dispute the claim, here:",
            ends=ends,
        ),
        "",
        f"  {notice_link(settings, token, code)}",
        "",
        translate(
            code,
            "After that date, unless you dispute it, other members of the registry can see "
            "that this amount is reported as unpaid. A dispute is decided by the registry's "
            "staff, who will tell you their reasons. You can also read your own credit report "
            "there, free of charge.",
        ),
        "",
        translate(
            code,
            "Pay only the supplier, through the bank details on its invoice. The registry never "
            "asks you to pay anyone.",
        ),
    ]
    return lines


def notice_short_text(complaint: Complaint, reminder: int = 0, code: str = "en") -> str:
    """The notice in a sentence, for SMS and WhatsApp (the link is added after it)."""
    prefix = translate(code, "Reminder %(number)s: ", number=reminder) if reminder else ""
    return prefix + translate(
        code,
        "%(member)s has reported to %(product)s that %(debtor)s owes it %(amount)s. "
        "See the notice and answer it:",
        member=complaint.member.name,
        product=PRODUCT_NAME,
        debtor=complaint.business.name,
        amount=rupees(complaint.amount_outstanding_paise),
    )


def notice_sms_text(complaint: Complaint, reminder: int = 0, code: str = SOURCE) -> str:
    """The notice's SMS sentence. English is the WhatsApp sentence (GSM-7 fits 306
    characters in two segments); another language is UCS-2 (134 in two segments, the link
    taking some 80), so it says only what is owed to whom: the debtor knows its name, and
    the sender ID names the registry."""
    if code == SOURCE:
        return notice_short_text(complaint, reminder, code)
    prefix = translate(code, "Reminder %(number)s: ", number=reminder) if reminder else ""
    return prefix + translate(
        code,
        "%(amount)s unpaid, reported by %(member)s. Notice:",
        amount=rupees_in_brief(complaint.amount_outstanding_paise),
        member=complaint.member.name,
    )


def notice_whatsapp_text(complaint: Complaint, reminder: int = 0) -> str:
    """The notice's sentence in every notice language, for WhatsApp (no segment limit)."""
    return "\n\n".join(notice_short_text(complaint, reminder, c) for c in NOTICE_LANGUAGES)


def notice_versions(
    settings: Settings, complaint: Complaint, token: str, today: date, reminder: int = 0
) -> list[Version]:
    """The notice (or a reminder) in each notice language, for every channel."""
    return [
        Version(
            code,
            _subject(code, complaint, reminder),
            "\n".join(_notice_lines(code, settings, complaint, token, today)),
            notice_sms_text(complaint, reminder, code),
            notice_link(settings, token, code),
            notice_short_text(complaint, reminder, code),
        )
        for code in NOTICE_LANGUAGES
    ]
