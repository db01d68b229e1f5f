"""Turning the filing form into the filing service's input, and its errors back."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage

from portal.i18n import said
from portal.money import to_paise
from portal.web.forms import FilingForm
from registry.complaints import filing
from registry.directory import debtors

FIELD_OF = {
    "debtor.name": "debtor_name",
    "debtor.gstin": "debtor_gstin",
    "debtor.pan": "debtor_pan",
    "debtor.city": "debtor_city",
    "debtor.state": "debtor_state",
    "debtor.email": "debtor_email",
    "debtor.mobile": "debtor_mobile",
    "debtor.business_id": "choice",
}


def filing_from(form: FilingForm) -> filing.FilingIn:
    choice = form.choice.data or ""
    debtor = debtors.DebtorIn(
        name=form.debtor_name.data or "",
        gstin=form.debtor_gstin.data or None,
        pan=form.debtor_pan.data or None,
        city=form.debtor_city.data or None,
        state=form.debtor_state.data or None,
        email=form.debtor_email.data or None,
        mobile=form.debtor_mobile.data or None,
        business_id=int(choice) if choice.isdigit() else None,
        new_business=choice == "new",
    )
    invoices = [
        filing.InvoiceIn(
            number=row.number.data or "",
            invoice_date=row.invoice_date.data,
            due_date=row.due_date.data,
            amount_paise=to_paise(row.amount.data),
            paid_paise=to_paise(row.paid.data),
        )
        for row in (entry.form for entry in form.invoices)
        if not row.is_blank()
    ]
    files = [
        filing.EvidenceIn(item.filename or "document", item.read())
        for item in (form.evidence.data or [])
        if isinstance(item, FileStorage) and item.filename
    ]
    return filing.FilingIn(debtor, invoices, files, form.note.data)


def incomplete_rows(form: FilingForm) -> bool:
    """Mark rows that are started but lack a date or amount; True if any."""
    missing = False
    for entry in form.invoices:
        row = entry.form
        if row.is_blank():
            continue
        for name in ("number", "invoice_date", "due_date", "amount"):
            field = getattr(row, name)
            if not field.data:
                field.errors = [*field.errors, "needed"]
                missing = True
    return missing


def show_errors(form: FlaskForm, fields: dict[str, str]) -> None:
    """Put the service's dotted-path errors next to the form's fields."""
    invoices = getattr(form, "invoices", [])
    rows = [entry.form for entry in invoices if not entry.form.is_blank()]
    for path, text in fields.items():
        message = said(text)
        parts = path.split(".")
        target: Any = None
        if (
            parts[0] == "invoices"
            and len(parts) == 3
            and parts[1].isdigit()
            and int(parts[1]) < len(rows)
        ):
            row = rows[int(parts[1])]
            target = getattr(
                row, {"amount_paise": "amount", "paid_paise": "paid"}.get(parts[2], parts[2]), None
            )
        else:
            target = getattr(form, FIELD_OF.get(path, parts[0]), None)
        if target is None or not hasattr(target, "errors"):
            form.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]
