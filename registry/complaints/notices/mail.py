"""What the debtor reads: the notice and its reminders, and the MSMED interest shown in
them when the supplier is a micro or small enterprise."""

from __future__ import annotations

from datetime import date

from registry.complaints.msmed import msmed_interest
from registry.models import Complaint
from registry.money import rupees
from registry.settings import PRODUCT_NAME, Settings


def notice_link(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url}/notice/{token}"


def notice_email(
    settings: Settings, complaint: Complaint, token: str, today: date, reminder: int = 0
) -> tuple[str, str]:
    member = complaint.member
    business = complaint.business
    ends = complaint.notice_ends_at.date().isoformat() if complaint.notice_ends_at else "soon"
    prefix = f"Reminder {reminder}: " if reminder else ""
    subject = f"{prefix}Notice of unpaid invoices reported by {member.name}"
    lines = [
        f"To {business.name},",
        "",
        f"{member.name} (GSTIN {member.gstin}) has reported to {PRODUCT_NAME} that your "
        f"business owes it {rupees(complaint.amount_outstanding_paise)} on these invoices:",
        "",
    ]
    for inv in complaint.invoices:
        lines.append(
            f"  - {inv.number}: dated {inv.invoice_date}, due {inv.due_date}, "
            f"{rupees(inv.amount_paise)} billed, {rupees(inv.paid_paise)} paid"
        )
    interest = msmed_interest(settings, complaint, today)
    if interest is not None:
        total = sum(i.interest_paise for i in interest)
        lines += [
            "",
            f"{member.name} is a {member.msme_category.value} enterprise. Under sections 15 and "
            "16 of the MSMED Act, 2006, compound interest with monthly rests at three times "
            f"the bank rate ({settings.msme_bank_rate_percent}%) runs on late payments: "
            f"{rupees(total)} as of {today.isoformat()}.",
        ]
    lines += [
        "",
        f"The complaint stays private until {ends}. Before then you can see the documents, "
        "pay, say by when you will pay, or dispute the claim, here:",
        "",
        f"  {notice_link(settings, token)}",
        "",
        "After that date, unless you dispute it, other members of the registry can see that "
        "this amount is reported as unpaid. A dispute is decided by the registry's staff, "
        "who will tell you their reasons. You can also read your own credit report there, "
        "free of charge.",
        "",
        "Pay only the supplier, through the bank details on its invoice. The registry never "
        "asks you to pay anyone.",
    ]
    return subject, "\n".join(lines)


def notice_short_text(complaint: Complaint, reminder: int = 0) -> str:
    """The notice in a sentence, for SMS and WhatsApp (the link is added after it)."""
    prefix = f"Reminder {reminder}: " if reminder else ""
    return (
        f"{prefix}{complaint.member.name} has reported to {PRODUCT_NAME} that "
        f"{complaint.business.name} owes it {rupees(complaint.amount_outstanding_paise)}. "
        "See the notice and answer it:"
    )
