"""The preview of a bulk import: every row read and checked, rows grouped by debtor (one
complaint per debtor per file), and each debtor resolved against the registry (known,
new, or to be confirmed by the member). Nothing is written here.

A plan is plain data (it is stored as JSON on the batch, so the filing later uses exactly
what the member previewed)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.bulk.reading import (
    ORDERS,
    AmbiguousDate,
    CellError,
    file_date_order,
    parse_amount,
    parse_date,
)
from registry.complaints.filing import MAX_INVOICES, already_reported, invoice_key
from registry.directory import businesses, debtors, search
from registry.errors import ValidationFailed
from registry.identifiers import (
    IdentifierError,
    normalise_email,
    normalise_mobile,
    validate_gstin,
    validate_pan,
)
from registry.language import N_, Said, as_said
from registry.models import Business
from registry.models.base import financial_year
from registry.money import rupees

TOTAL_LINES = frozenset({"total", "grandtotal", "subtotal", "totals"})
DATE_FIELDS = ("invoice_date", "due_date")

Row = tuple[int, list[str]]

#: A column's name as an error message starts with it.
_LABELS = {
    "invoice_date": N_("invoice date"),
    "due_date": N_("due date"),
    "amount": N_("amount"),
    "paid": N_("amount paid"),
    "outstanding": N_("amount outstanding"),
}
_AT_MOST_100 = {
    "city": N_("city: at most 100 characters"),
    "state": N_("state: at most 100 characters"),
}


def _cell(label: str, exc: CellError) -> Said:
    """A cell's error, as the preview lists it: the column, then what is wrong."""
    return Said(N_("%(column)s: %(problem)s"), column=Said(label), problem=exc.message)


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _cells(cells: list[str], headers: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    index = {h: i for i, h in enumerate(headers)}
    out: dict[str, str] = {}
    for field, header in mapping.items():
        i = index.get(header)
        out[field] = cells[i].strip() if i is not None and i < len(cells) else ""
    return out


def _debtor_errors(raw: dict[str, str], out: dict[str, Any], errors: list[str]) -> None:
    name = " ".join(raw.get("debtor_name", "").split())
    if not 2 <= len(name) <= 300:
        errors.append(Said(N_("debtor name: give the business name (2 to 300 characters)")))
    out["name"] = name
    for field, check in (("gstin", validate_gstin), ("pan", validate_pan)):
        out[field] = None
        if raw.get(field):
            try:
                out[field] = check(raw[field])
            except IdentifierError as exc:
                errors.append(
                    Said(
                        N_("%(kind)s %(value)s: %(problem)s"),
                        kind=field.upper(),
                        value=raw[field],
                        problem=as_said(exc.args[0]),
                    )
                )
    if out["gstin"] and out["pan"] and out["gstin"][2:12] != out["pan"]:
        errors.append(Said(N_("PAN: does not match the PAN inside the GSTIN")))
    out["email"] = None
    if raw.get("email"):
        try:
            out["email"] = normalise_email(raw["email"])
        except ValidationFailed:
            errors.append(Said(N_("email '%(value)s' is not a valid address"), value=raw["email"]))
    out["mobile"] = None
    if raw.get("mobile"):
        try:
            out["mobile"] = normalise_mobile(raw["mobile"])
        except ValidationFailed as exc:
            problem = exc.fields.get("mobile", N_("is not a valid mobile number"))
            errors.append(
                Said(
                    N_("mobile '%(value)s': %(problem)s"),
                    value=raw["mobile"],
                    problem=as_said(problem),
                )
            )
    for field in ("city", "state"):
        out[field] = raw.get(field) or None
        if out[field] and len(out[field]) > 100:
            errors.append(Said(_AT_MOST_100[field]))


def _invoice_errors(
    raw: dict[str, str], out: dict[str, Any], errors: list[str], today: date, order: str | None
) -> None:
    number = raw.get("invoice_number", "")
    if not invoice_key(number) or len(number) > 64:
        errors.append(Said(N_("invoice number: give it (up to 64 characters)")))
    out["number"] = number
    for field in DATE_FIELDS:
        try:
            out[field], out[f"{field}_family"] = parse_date(raw.get(field, ""), order)
        except CellError as exc:
            out["ambiguous"] = out.get("ambiguous") or isinstance(exc, AmbiguousDate)
            errors.append(_cell(_LABELS[field], exc))
            out[field] = None
    try:
        out["amount_paise"] = parse_amount(raw.get("amount", raw.get("outstanding", "")))
        if out["amount_paise"] == 0:
            errors.append(Said(N_("amount: is zero")))
    except CellError as exc:
        errors.append(_cell(_LABELS["amount"], exc))
        out["amount_paise"] = None
    out["paid_paise"] = _paid(raw, out.get("amount_paise"), errors)
    invoiced, due = out["invoice_date"], out["due_date"]
    if invoiced and invoiced > today:
        errors.append(Said(N_("invoice date %(date)s is in the future"), date=invoiced))
    if invoiced and due and due < invoiced:
        errors.append(Said(N_("due date: is before the invoice date")))
    elif due and due >= today:
        errors.append(
            Said(N_("due date %(date)s is not past yet: only overdue invoices count"), date=due)
        )


def _paid(raw: dict[str, str], amount: int | None, errors: list[str]) -> int:
    """What was paid of the invoice: the paid column, or the amount less what is still
    outstanding (a file with only the outstanding amount has nothing paid)."""
    try:
        if "paid" in raw:
            paid = parse_amount(raw["paid"], empty_is_zero=True)
        elif "outstanding" in raw and "amount" in raw and amount is not None:
            outstanding = parse_amount(raw["outstanding"], empty_is_zero=True)
            if outstanding > amount:
                errors.append(Said(N_("amount outstanding: is more than the invoice amount")))
                return 0
            paid = amount - outstanding
        else:
            return 0
    except CellError as exc:
        errors.append(_cell(_LABELS["paid" if "paid" in raw else "outstanding"], exc))
        return 0
    if amount is not None and paid >= amount:
        errors.append(Said(N_("paid in full: nothing is owed on this invoice")))
    return paid


def date_order(
    rows: Sequence[Row], headers: Sequence[str], mapping: Mapping[str, str], answer: str | None
) -> tuple[str | None, bool]:
    """How the file's day-or-month dates are read, and whether the member must be asked:
    the order its unambiguous dates show; the member's `answer` when they show none (or
    both)."""
    values = [
        cells[i]
        for _, cells in rows
        for field in DATE_FIELDS
        if (i := _index(headers, mapping.get(field))) is not None and i < len(cells)
    ]
    shown = file_date_order(values)
    if shown:
        return shown, False
    return (answer if answer in ORDERS else None), any(_ambiguous(v) for v in values)


def _ambiguous(value: str) -> bool:
    try:
        parse_date(value)
    except AmbiguousDate:
        return True
    except CellError:
        return False
    return False


def _index(headers: Sequence[str], header: str | None) -> int | None:
    return headers.index(header) if header in headers else None


def read_rows(
    rows: Sequence[Row],
    headers: Sequence[str],
    mapping: Mapping[str, str],
    today: date,
    order: str | None = None,
) -> list[dict[str, Any]]:
    """Every row read and checked on its own (no database); `order` reads the dates that
    could be day first or month first."""
    out: list[dict[str, Any]] = []
    for line, cells in rows:
        raw = _cells(cells, headers, mapping)
        row: dict[str, Any] = {"line": line, "raw": raw, "errors": [], "skipped": None}
        if _squash(raw.get("debtor_name", "")) in TOTAL_LINES or (
            not raw.get("invoice_number") and _squash(raw.get("debtor_name", "")) == ""
        ):
            row["skipped"] = Said(N_("a total or empty line"))
            out.append(row)
            continue
        _debtor_errors(raw, row, row["errors"])
        _invoice_errors(raw, row, row["errors"], today, order)
        out.append(row)
    return out


def _group_key(row: dict[str, Any], by_name: Mapping[str, str]) -> str:
    if row["gstin"]:
        return f"gstin:{row['gstin']}"
    if row["pan"]:
        return f"pan:{row['pan']}"
    return by_name.get(_squash(row["name"]), f"name:{_squash(row['name'])}")


def group_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Good rows of one debtor form one group (one complaint). A row without GSTIN joins
    the group of a row that has one under the same name. Repeated invoice numbers within
    a debtor are errors on the later rows."""
    good = [r for r in rows if not r["skipped"] and not r["errors"]]
    by_name: dict[str, str] = {}
    for row in good:
        if row["gstin"] or row["pan"]:
            by_name.setdefault(_squash(row["name"]), _group_key(row, {}))
    groups: dict[str, dict[str, Any]] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in good:
        key = _group_key(row, by_name)
        group = groups.setdefault(key, {"key": key, "rows": [], "errors": []})
        number = _row_key(row)
        if number in seen:
            row["errors"].append(
                Said(
                    N_(
                        "invoice %(number)s appears twice in financial year %(year)s "
                        "(line %(line)s)"
                    ),
                    number=row["number"],
                    year=number[0],
                    line=seen[number],
                )
            )
            continue
        seen[number] = row["line"]
        group["rows"].append(row)
    return [g for g in groups.values() if g["rows"]]


def _debtor_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def first(field: str) -> Any:
        return next((r[field] for r in rows if r.get(field)), None)

    return {f: first(f) for f in ("name", "gstin", "pan", "city", "state", "email", "mobile")}


def _resolve(session: Session, debtor: dict[str, Any]) -> dict[str, Any]:
    """Who the debtor is on the registry, as the filing will decide it."""
    business: Business | None = None
    if debtor["gstin"]:
        business = businesses.by_gstin(session, debtor["gstin"])
    pan = debtor["pan"] or (debtor["gstin"][2:12] if debtor["gstin"] else None)
    if business is None and pan:
        same = businesses.by_pan(session, pan)
        business = same[0] if same else None
    if business is not None:
        return {
            "kind": "known",
            "business_id": business.id,
            "business_name": business.name,
            "email_on_record": bool(business.email),
        }
    if pan:
        return {"kind": "new"}
    close = [
        debtors.candidate_view(session, b, s)
        for b, s in search.similar_names(session, debtor["name"], debtor["city"], debtor["state"])
        if s >= debtors.CONFIRM_THRESHOLD
    ]
    return {"kind": "confirm", "candidates": close} if close else {"kind": "new"}


def _row_key(row: dict[str, Any]) -> tuple[str, str]:
    """An invoice row as the registry compares it: financial year and number key."""
    return financial_year(row["invoice_date"]), invoice_key(row["number"])


def _already_filed(
    session: Session, member_id: int, rows: list[dict[str, Any]]
) -> dict[tuple[str, str], int]:
    """The complaint each row's invoice is already reported in (against any debtor)."""
    found = already_reported(session, member_id, [_row_key(r) for r in rows])
    return {key: complaint_id for key, (_, complaint_id) in found.items()}


def _check_group(group: dict[str, Any], minimum_paise: int) -> None:
    rows = group["rows"]
    if len(rows) > MAX_INVOICES:
        group["errors"].append(
            Said(
                N_("more than %(most)s invoices for one debtor: split the file"), most=MAX_INVOICES
            )
        )
    outstanding = sum(r["amount_paise"] - r["paid_paise"] for r in rows)
    group["outstanding_paise"] = outstanding
    if rows and outstanding < minimum_paise:
        group["errors"].append(
            Said(
                N_(
                    "this debtor's overdue total (%(total)s) is below the registry's minimum "
                    "of %(minimum)s"
                ),
                total=rupees(outstanding),
                minimum=rupees(minimum_paise),
            )
        )
    resolution, debtor = group["resolution"], group["debtor"]
    if not debtor["email"] and not debtor.get("mobile") and not resolution.get("email_on_record"):
        group["errors"].append(
            Said(
                N_(
                    "no email or mobile for the debtor's notice: add one in the email or "
                    "mobile column"
                )
            )
        )


def build_plan(
    session: Session,
    member_id: int,
    headers: Sequence[str],
    rows: Sequence[Row],
    mapping: Mapping[str, str],
    today: date,
    minimum_paise: int,
    answer: str | None = None,
) -> dict[str, Any]:
    """The preview: rows with their errors and what becomes of them, groups with their
    debtor's resolution, and the totals shown above the table. `answer` is the member's
    reply to the file's one date question ("dmy" or "mdy"), if it was asked."""
    order, asked = date_order(rows, headers, mapping, answer)
    read = read_rows(rows, headers, mapping, today, order)
    groups = group_rows(read)
    for group in groups:
        group["debtor"] = _debtor_of(group["rows"])
        group["resolution"] = _resolve(session, group["debtor"])
        filed = _already_filed(session, member_id, group["rows"])
        for row in group["rows"]:
            if _row_key(row) in filed:
                row["errors"].append(
                    Said(
                        N_("invoice %(number)s is already reported (complaint #%(complaint)s)"),
                        number=row["number"],
                        complaint=filed[_row_key(row)],
                    )
                )
        group["rows"] = [r for r in group["rows"] if not r["errors"]]
        _check_group(group, minimum_paise)
    plan = _plan_data(read, [g for g in groups if g["rows"]])
    ambiguous = any(r.get("ambiguous") for r in read)
    plan["dates"] = {
        "order": order,
        "question": asked,
        "unanswered": ambiguous,
    }
    return plan


def _plan_data(read: list[dict[str, Any]], groups: list[dict[str, Any]]) -> dict[str, Any]:
    rows_out: list[dict[str, Any]] = []
    where: dict[int, tuple[int, int]] = {}
    for index, group in enumerate(groups):
        for position, row in enumerate(group["rows"]):
            where[row["line"]] = (index, position)
    for row in read:
        entry = {
            "line": row["line"],
            "raw": row["raw"],
            "errors": row["errors"],
            "skipped": row["skipped"],
            "group": None,
            "action": "error",
        }
        if row["skipped"]:
            entry["action"] = "skipped"
        elif row["line"] in where and not row["errors"]:
            index, position = where[row["line"]]
            entry["group"] = index
            first = groups[index]["rows"][0]["line"]
            entry["action"] = "new complaint" if position == 0 else "added"
            entry["first_line"] = first
            if groups[index]["errors"]:
                entry["action"] = "error"
                entry["errors"] = list(groups[index]["errors"])
        rows_out.append(entry)
    groups_out = [
        {
            "key": g["key"],
            "debtor": g["debtor"],
            "resolution": g["resolution"],
            "errors": g["errors"],
            "lines": [r["line"] for r in g["rows"]],
            "outstanding_paise": g["outstanding_paise"],
            "invoices": [
                {
                    "number": r["number"],
                    "invoice_date": r["invoice_date"].isoformat(),
                    "due_date": r["due_date"].isoformat(),
                    "amount_paise": r["amount_paise"],
                    "paid_paise": r["paid_paise"],
                }
                for r in g["rows"]
            ],
        }
        for g in groups
    ]
    return {"rows": rows_out, "groups": groups_out}
