"""Filing a complaint: check everything first, resolve the debtor, write it whole, send
the notice. What a real registry refuses is refused here, with a message per field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry import audit, faults
from registry.actors import SYSTEM, Actor
from registry.complaints import life
from registry.complaints.notices import links, recipients
from registry.complaints.notices.mail import notice_versions
from registry.directory import businesses, debtors
from registry.errors import Conflict, ValidationFailed
from registry.identifiers import normalise_mobile
from registry.language import N_, Said
from registry.models import Business, Complaint, ComplaintStatus, Invoice, utcnow
from registry.models.base import financial_year
from registry.money import rupees
from registry.settings import Settings
from registry.uploads import evidence

MAX_INVOICES = 200
MAX_EVIDENCE = 10


@dataclass(frozen=True)
class InvoiceIn:
    number: str
    invoice_date: date
    due_date: date
    amount_paise: int
    paid_paise: int = 0


@dataclass(frozen=True)
class EvidenceIn:
    filename: str
    content: bytes


@dataclass(frozen=True)
class FilingIn:
    debtor: debtors.DebtorIn
    invoices: list[InvoiceIn]
    evidence: list[EvidenceIn]
    note: str | None = None


@dataclass
class Filed:
    complaint: Complaint
    notice_token: str
    warnings: list[str] = field(default_factory=list)


def invoice_key(number: str) -> str:
    """How invoice numbers are compared: case, spaces and separators do not count."""
    return re.sub(r"[\s\-_/.#]", "", number).upper()


def check_invoices(invoices: list[InvoiceIn], today: date, minimum_paise: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not invoices:
        return {"invoices": "add at least one unpaid invoice"}
    if len(invoices) > MAX_INVOICES:
        return {"invoices": f"at most {MAX_INVOICES} invoices in one complaint"}
    seen: set[InvoiceKey] = set()
    for i, inv in enumerate(invoices):
        at = f"invoices.{i}"
        key = invoice_key(inv.number)
        if not key or len(inv.number.strip()) > 64:
            errors[f"{at}.number"] = "give the invoice number (up to 64 characters)"
        elif (financial_year(inv.invoice_date), key) in seen:
            errors[f"{at}.number"] = "the same invoice number appears twice"
        seen.add((financial_year(inv.invoice_date), key))
        if inv.invoice_date > today:
            errors[f"{at}.invoice_date"] = "is in the future"
        if inv.due_date < inv.invoice_date:
            errors[f"{at}.due_date"] = "is before the invoice date"
        elif inv.due_date >= today:
            errors[f"{at}.due_date"] = "is not past yet: only overdue invoices can be reported"
        if inv.amount_paise <= 0:
            errors[f"{at}.amount_paise"] = "must be more than zero"
        elif inv.paid_paise < 0:
            errors[f"{at}.paid_paise"] = "cannot be negative"
        elif inv.paid_paise >= inv.amount_paise:
            errors[f"{at}.paid_paise"] = "the invoice is paid in full"
    if not errors:
        outstanding = sum(inv.amount_paise - inv.paid_paise for inv in invoices)
        if outstanding < minimum_paise:
            errors["invoices"] = (
                f"the amount outstanding ({rupees(outstanding)}) is below the registry's "
                f"minimum of {rupees(minimum_paise)}"
            )
    return errors


def check_evidence(files: list[EvidenceIn], max_bytes: int) -> dict[str, str]:
    if not files:
        return {
            "evidence": "attach at least one document: the invoice, a purchase order or a "
            "ledger extract (PDF, PNG or JPEG)"
        }
    if len(files) > MAX_EVIDENCE:
        return {"evidence": f"at most {MAX_EVIDENCE} documents"}
    return evidence.problems("evidence", ((f.filename, f.content) for f in files), max_bytes)


#: An invoice as the registry compares it: its financial year and its number's key.
InvoiceKey = tuple[str, str]


def invoice_keys(invoices: list[InvoiceIn]) -> list[InvoiceKey]:
    return [(financial_year(inv.invoice_date), invoice_key(inv.number)) for inv in invoices]


def already_reported(
    session: Session, member_id: int, keys: list[InvoiceKey]
) -> dict[InvoiceKey, tuple[str, int]]:
    """The member's invoices among `keys`, each with its number as filed and its
    complaint, whichever debtor they name: an invoice number is unique per member and
    financial year."""
    if not keys:
        return {}
    rows = session.execute(
        select(
            Invoice.financial_year, Invoice.number_key, Invoice.number, Invoice.complaint_id
        ).where(
            Invoice.member_id == member_id,
            or_(
                *(
                    and_(Invoice.financial_year == year, Invoice.number_key == key)
                    for year, key in set(keys)
                )
            ),
        )
    )
    return {(year, key): (number, complaint_id) for year, key, number, complaint_id in rows}


def _duplicates(session: Session, member_id: int, keys: list[InvoiceKey]) -> list[str]:
    return [number for number, _ in already_reported(session, member_id, keys).values()]


def _refuse_duplicates(numbers: list[str]) -> Conflict:
    return Conflict(
        "duplicate_invoice",
        "You have already reported invoice "
        + ", ".join(sorted(numbers))
        + " (an invoice number is reported once per financial year).",
        invoices=sorted(numbers),
    )


def file_complaint(
    session: Session,
    settings: Settings,
    actor: Actor,
    filing: FilingIn,
    today: date | None = None,
) -> Filed:
    """File a complaint for the actor's member and send the notice. Raises
    `ValidationFailed`, `Conflict("confirm_business")` or `Conflict("duplicate_invoice")`
    having written nothing: resolving the debtor may write (a new business, a spelling
    of its name, another GSTIN of its PAN), so the debtor and the complaint are written
    in one savepoint, taken back whole when the filing is refused, also when another
    request filed the same invoice after the duplicate check and the database's unique
    constraint refuses this one. (Files written here are removed again if the
    transaction fails.)"""
    if actor.member_id is None:
        raise ValidationFailed({"member": N_("only members file complaints")})
    today = today or date.today()
    errors = debtors.check(filing.debtor)
    errors |= check_invoices(filing.invoices, today, settings.minimum_claim_paise)
    errors |= check_evidence(filing.evidence, settings.upload_max_bytes)
    note = (filing.note or "").strip() or None
    if note and len(note) > 5000:
        errors["note"] = N_("at most 5000 characters")
    if errors:
        raise ValidationFailed(errors)

    keys = invoice_keys(filing.invoices)
    written: list[Path] = []
    try:
        with session.begin_nested():
            business, contact = _debtor(session, actor, filing, keys)
            try:
                complaint = _write(
                    session, settings, actor, filing, business, contact, note, written
                )
            except IntegrityError as exc:  # the same invoice, filed since the check
                numbers = _duplicates(session, actor.member_id, keys)
                raise _refuse_duplicates(
                    numbers or [inv.number for inv in filing.invoices]
                ) from exc
    except Exception:
        evidence.remove(written)
        raise
    token = send_notice(session, settings, complaint)
    faults.pause("filing-stored")
    return Filed(complaint, token)


def _debtor(
    session: Session, actor: Actor, filing: FilingIn, keys: list[InvoiceKey]
) -> tuple[Business, Contact]:
    """The debtor's business and where its notice goes (an email, a mobile, or both),
    refusing invoices of `keys` the member reported already. Resolving may write: the
    caller's savepoint takes that back if the filing is refused."""
    assert actor.member_id is not None
    already = _duplicates(session, actor.member_id, keys)
    if already:  # whichever debtor: known before the debtor is resolved
        raise _refuse_duplicates(already)
    # Locked and re-read: a merge racing this filing either waits for it (and then moves
    # its complaint) or committed first (and the filing lands on the survivor).
    business = businesses.locked_survivor(session, debtors.resolve(session, actor, filing.debtor))
    # The reporter's contacts belong to this complaint; the business's own contacts count
    # only when they come from an authoritative source (a directory load, or the business).
    email = (filing.debtor.email or "").strip().lower() or None
    mobile = normalise_mobile(filing.debtor.mobile) if filing.debtor.mobile else None
    if not email and not mobile and not recipients.own_contacts(business):
        raise ValidationFailed(
            {
                "debtor.email": "needed to send the debtor its notice (none is on record): "
                "give an email or a mobile number"
            }
        )
    return business, Contact(email or None, mobile)


@dataclass(frozen=True)
class Contact:
    """Where the debtor's notice goes: at least one of the two."""

    email: str | None
    mobile: str | None


def _write(
    session: Session,
    settings: Settings,
    actor: Actor,
    filing: FilingIn,
    business: Business,
    contact: Contact,
    note: str | None,
    written: list[Path],
) -> Complaint:
    assert actor.member_id is not None
    with session.begin_nested():
        complaint = Complaint(
            member_id=actor.member_id,
            business_id=business.id,
            filed_by_user_id=actor.user_id,
            status=ComplaintStatus.FILED,
            debtor_email=contact.email,
            debtor_mobile=contact.mobile,
            debtor_name_as_reported=" ".join(filing.debtor.name.split()) or None,
            note=note,
            amount_outstanding_paise=sum(i.amount_paise - i.paid_paise for i in filing.invoices),
        )
        session.add(complaint)
        session.flush()
        for inv in filing.invoices:
            complaint.invoices.append(
                Invoice(
                    member_id=actor.member_id,
                    business_id=business.id,
                    number=inv.number.strip(),
                    number_key=invoice_key(inv.number),
                    invoice_date=inv.invoice_date,
                    financial_year=financial_year(inv.invoice_date),
                    due_date=inv.due_date,
                    amount_paise=inv.amount_paise,
                    paid_paise=inv.paid_paise,
                )
            )
        session.flush()
        for i, item in enumerate(filing.evidence):
            complaint.evidence.append(
                evidence.attach(
                    session,
                    settings,
                    item.filename,
                    item.content,
                    f"evidence.{i}",
                    "member",
                    written,
                )
            )
        session.flush()
    audit.record(session, actor, "complaint", complaint.id, "filed", to_state="filed", note=note)
    return complaint


def send_notice(session: Session, settings: Settings, complaint: Complaint) -> str:
    """Issue the notice link, start the notice period and email the debtor."""
    now = utcnow()
    token = links.issue_token(complaint, settings.secret_key, now)
    to = recipients.notice_recipients(session, complaint)
    complaint.notice_sent_at = now
    complaint.notice_ends_at = now + timedelta(days=settings.notice_period_days)
    life.transition(
        session,
        complaint,
        ComplaintStatus.IN_NOTICE,
        SYSTEM,
        Said(N_("notice sent to %(to)s"), to=", ".join(r.address for r in to)),
    )
    recipients.fan_out(
        session, to, "notice", notice_versions(settings, complaint, token, now.date())
    )
    return token
