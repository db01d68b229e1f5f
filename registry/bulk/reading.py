"""Reading an accounting export (Tally, Busy, Zoho Books, a spreadsheet saved as CSV):
its text encoding, its dialect (found by `csv.Sniffer`), its rows, and the cells people
write there: Indian dates and amounts in rupees. Pure functions, no database.

Every refusal is a `CsvProblem` whose message says what to do about it."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from registry.language import N_, Said, as_said

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
MAX_CELL = 500

#: The fields a column can be mapped to, in the order the mapping form shows them.
FIELDS: dict[str, str] = {
    "debtor_name": N_("Debtor name"),
    "gstin": N_("GSTIN"),
    "pan": N_("PAN"),
    "city": N_("City"),
    "state": N_("State"),
    "email": N_("Debtor email"),
    "mobile": N_("Debtor mobile"),
    "invoice_number": N_("Invoice number"),
    "invoice_date": N_("Invoice date"),
    "due_date": N_("Due date"),
    "amount": N_("Invoice amount"),
    "paid": N_("Amount paid"),
    "outstanding": N_("Amount outstanding"),
}
REQUIRED = ("debtor_name", "invoice_number", "invoice_date", "due_date", "amount")

#: Header spellings seen in common exports, compared without case, spaces or punctuation.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "debtor_name": (
        "debtor",
        "debtorname",
        "party",
        "partyname",
        "partysname",
        "ledger",
        "ledgername",
        "customer",
        "customername",
        "buyer",
        "buyername",
        "name",
        "accountname",
        "billedto",
    ),
    "gstin": ("gstin", "gstinuin", "gstno", "gstnumber", "partygstin", "customergstin", "gst"),
    "pan": ("pan", "panno", "pannumber", "itpan"),
    "city": ("city", "town", "place", "billingcity"),
    "state": ("state", "statename", "placeofsupply", "billingstate"),
    "email": ("email", "emailid", "mail", "emailaddress", "customeremail", "partyemail"),
    "mobile": (
        "mobile",
        "mobileno",
        "mobilenumber",
        "phone",
        "phoneno",
        "phonenumber",
        "contactno",
        "contactnumber",
        "whatsapp",
        "whatsappno",
        "cell",
        "partymobile",
        "customermobile",
    ),
    "invoice_number": (
        "invoicenumber",
        "invoiceno",
        "invoice",
        "billno",
        "billnumber",
        "refno",
        "reference",
        "voucherno",
        "vouchernumber",
        "vchno",
        "docno",
    ),
    "invoice_date": ("invoicedate", "billdate", "date", "voucherdate", "vchdate", "docdate"),
    "due_date": ("duedate", "dueon", "paymentduedate", "duedt"),
    "amount": (
        "amount",
        "invoiceamount",
        "billamount",
        "total",
        "invoicetotal",
        "grossamount",
        "openingamount",
        "billvalue",
    ),
    "paid": ("paid", "amountpaid", "paidamount", "received", "amountreceived", "payments"),
    "outstanding": (
        "outstanding",
        "pendingamount",
        "balance",
        "balancedue",
        "amountdue",
        "pending",
        "closingbalance",
    ),
}


class CsvProblem(ValueError):
    """The file as a whole cannot be read; the message is for the member."""

    def __str__(self) -> str:
        return self.args[0] if self.args and isinstance(self.args[0], str) else super().__str__()


@dataclass(frozen=True)
class Table:
    """A CSV as read: its header cells and its data rows, each with its line number."""

    dialect: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]


# -- the file -------------------------------------------------------------------------------


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark) or UTF-16 with one."""
    if not content.strip():
        raise CsvProblem(N_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise CsvProblem(
            Said(
                N_(
                    "The file is larger than %(mb)s MB: split it into files of at most "
                    "%(most)s rows."
                ),
                mb=MAX_BYTES // (1024 * 1024),
                most=MAX_ROWS,
            )
        )
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise CsvProblem(
            N_(
                "This is an Excel workbook, not a CSV file: open it and save it as "
                "'CSV UTF-8 (comma delimited)'."
            )
        )
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvProblem(N_("The file says it is UTF-16 text but is not.")) from exc
    if b"\x00" in content[:4096]:
        raise CsvProblem(N_("This is not a text file: export the report as CSV."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise CsvProblem(
            Said(
                N_(
                    "The file is not UTF-8 text (line %(line)s has a character in another "
                    "encoding). Save it again as 'CSV UTF-8'; in Tally, export with 'UTF-8' or "
                    "'Unicode'."
                ),
                line=line,
            )
        ) from exc


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel  # one column, or too little to tell: plain commas


def _dialect_name(dialect: type[csv.Dialect] | csv.Dialect) -> str:
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    return f"{names.get(dialect.delimiter, repr(dialect.delimiter))}-separated"


def read_table(content: bytes) -> Table:
    """Decode, sniff and split the file. The header is the first line with at least two
    filled cells (exports often start with the company name and the period); blank lines
    are dropped."""
    text = decode(content)
    dialect = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            line = reader.line_num
            cells = [" ".join(cell.split()) for cell in record]
            if not any(cells):
                continue
            if headers is None:
                if sum(1 for c in cells if c) >= 2:
                    headers = _headers(cells)
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvProblem(
                    Said(N_("The file has more than %(most)s rows: split it."), most=MAX_ROWS)
                )
            if any(len(c) > MAX_CELL for c in cells):
                raise CsvProblem(
                    Said(
                        N_("Line %(line)s has a cell longer than %(most)s characters."),
                        line=line,
                        most=MAX_CELL,
                    )
                )
            rows.append((line, cells))
    except csv.Error as exc:
        raise CsvProblem(
            Said(
                N_("The CSV is malformed near line %(line)s: %(why)s."),
                line=reader.line_num,
                why=str(exc),
            )
        ) from exc
    if headers is None:
        raise CsvProblem(N_("No header line found: the first line must name the columns."))
    if not rows:
        raise CsvProblem(N_("The file has a header line but no invoice rows."))
    return Table(_dialect_name(dialect), headers, rows)


def _headers(cells: list[str]) -> list[str]:
    if len(cells) > MAX_COLUMNS:
        raise CsvProblem(
            Said(
                N_("The file has more than %(most)s columns: is it the right report?"),
                most=MAX_COLUMNS,
            )
        )
    named: list[str] = []
    for i, cell in enumerate(cells):
        name = cell[:80] or f"Column {i + 1}"
        while name in named:
            name = f"{name} ({i + 1})"
        named.append(name)
    return named


# -- mapping columns to fields ------------------------------------------------------------


def _squash(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def guess_mapping(headers: Sequence[str], remembered: Mapping[str, str]) -> dict[str, str]:
    """field -> header: what the member mapped last time where those headers are in this
    file, otherwise the header that is a known spelling of the field."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for field, header in remembered.items():
        if field in FIELDS and header in headers and header not in taken:
            mapping[field] = header
            taken.add(header)
    squashed = {_squash(h): h for h in reversed(headers)}
    for field, spellings in SYNONYMS.items():
        if field in mapping:
            continue
        for spelling in spellings:
            found = squashed.get(spelling)
            if found is not None and found not in taken:
                mapping[field] = found
                taken.add(found)
                break
    return mapping


def check_mapping(headers: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Errors per field: required fields unmapped, unknown headers, a column used twice."""
    errors: dict[str, str] = {}
    used: dict[str, str] = {}
    for field, header in mapping.items():
        if field not in FIELDS:
            continue
        if header not in headers:
            errors[field] = Said(N_("the file has no column '%(header)s'"), header=header)
        elif header in used:
            errors[field] = Said(
                N_("column '%(header)s' is already used for %(field)s"),
                header=header,
                field=FIELDS[used[header]],
            )
        else:
            used[header] = field
    for field in REQUIRED:
        if field == "amount" and mapping.get("outstanding"):
            continue  # the amount outstanding alone will do: nothing was paid yet
        if not mapping.get(field):
            errors.setdefault(field, N_("choose the column that holds it"))
    return errors


# -- cells ------------------------------------------------------------------------------------

#: Date spellings by family. A numeric date is read on its own when only one order makes
#: sense (31-07-2026 is day first, 07-31-2026 month first, 04-04-2026 either way); one
#: both orders could mean (04-05-2026) takes the file's order: the one its unambiguous
#: dates show, or the member's answer when they show none (or both).
NAMED_FORMATS = ("%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %B %Y", "%d-%B-%Y", "%b %d, %Y")
ORDERS = ("dmy", "mdy")
FAMILY_LABEL = {
    "ymd": "yyyy-mm-dd",
    "dmy": "dd-mm-yyyy",
    "mdy": "mm-dd-yyyy",
    "named": "01-Apr-2026",
}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$")


_NOT_A_DATE = N_("'%(value)s' is not a date (write dd-mm-yyyy, yyyy-mm-dd or 01-Apr-2026)")
_NOT_AN_AMOUNT = N_("'%(value)s' is not an amount in rupees")


class CellError(ValueError):
    """One cell cannot be read; the message names what is wrong."""

    @property
    def message(self) -> Said:
        """What is wrong, in a form a page translates."""
        return as_said(self.args[0])


class AmbiguousDate(CellError):
    """Day first and month first both make a date of it, and the file's order is unknown."""


def _make(value: str, year: int, month: int, day: int) -> date:
    if year < 100:
        year += 2000
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise CellError(Said(_NOT_A_DATE, value=value)) from None
    if not 1990 <= parsed.year <= 2100:
        raise CellError(Said(N_("'%(value)s' is not a plausible invoice year"), value=value))
    return parsed


def date_order_of(raw: str) -> str | None:
    """ "dmy" or "mdy" when a numeric date can only be read that way, else None."""
    match = _NUMERIC.match(raw.strip())
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(3))
    if first > 12 >= second >= 1:
        return "dmy"
    if second > 12 >= first >= 1:
        return "mdy"
    return None


def parse_date(raw: str, order: str | None = None) -> tuple[date, str]:
    """The date and its family ("ymd", "dmy", "mdy" or "named"). `order` reads the dates
    that could be either ("dmy" or "mdy"); without it they raise `AmbiguousDate`."""
    value = raw.strip()
    if not value:
        raise CellError(N_("is empty"))
    iso = _ISO.match(value)
    if iso:
        return _make(value, int(iso.group(1)), int(iso.group(2)), int(iso.group(3))), "ymd"
    numeric = _NUMERIC.match(value)
    if numeric:
        first, second, year = int(numeric.group(1)), int(numeric.group(3)), int(numeric.group(4))
        family = date_order_of(value) or (
            "dmy" if first == second else order if order in ORDERS else None
        )
        if family is None:
            raise AmbiguousDate(
                Said(
                    N_(
                        "'%(value)s' could be day first or month first: say how this file "
                        "writes dates"
                    ),
                    value=value,
                )
            )
        day, month = (first, second) if family == "dmy" else (second, first)
        return _make(value, year, month, day), family
    for fmt in NAMED_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return _make(value, parsed.year, parsed.month, parsed.day), "named"
    raise CellError(Said(_NOT_A_DATE, value=value))


def file_date_order(values: Iterable[str]) -> str | None:
    """The order the file's unambiguous numeric dates show, if they show exactly one."""
    seen = {order for raw in values if (order := date_order_of(raw))}
    return seen.pop() if len(seen) == 1 else None


_CURRENCY = re.compile(r"^(₹|rs\.?|inr)\s*|\s*(₹|rs\.?|inr)$", re.IGNORECASE)
_INDIAN = re.compile(r"^\d{1,2}(,\d{2})*,\d{3}$")
_WESTERN = re.compile(r"^\d{1,3}(,\d{3})+$")


def parse_amount(raw: str, empty_is_zero: bool = False) -> int:
    """Rupees as exports write them (₹1,50,000.00, Rs. 1,500, 1500.5, 2,000 Dr) in paise.
    A credit balance ("Cr", a minus sign or brackets) is refused: it is not owed to you."""
    value = raw.strip()
    if not value or value in {"-", "—"}:
        if empty_is_zero:
            return 0
        raise CellError(N_("is empty"))
    shown = value
    value = re.sub(r"\s*(dr|dr\.)$", "", value, flags=re.IGNORECASE)
    if re.search(r"(cr|cr\.)$", value, flags=re.IGNORECASE) or value.startswith(("-", "(")):
        raise CellError(Said(N_("'%(value)s' is a credit or negative amount"), value=shown))
    value = _CURRENCY.sub("", value).strip()
    whole, _, fraction = value.partition(".")
    if "," in whole and not (_INDIAN.match(whole) or _WESTERN.match(whole)):
        raise CellError(
            Said(
                N_("'%(value)s' has misplaced commas (write 1,50,000.00 or 150000.00)"), value=shown
            )
        )
    whole = whole.replace(",", "")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise CellError(Said(_NOT_AN_AMOUNT, value=shown))
    if len(fraction) > 2:
        raise CellError(Said(N_("'%(value)s' has more than two decimals (paise)"), value=shown))
    try:
        paise = int((Decimal(f"{whole}.{fraction or '0'}") * 100).to_integral_value())
    except InvalidOperation as exc:
        raise CellError(Said(_NOT_AN_AMOUNT, value=shown)) from exc
    if paise > 10**13:
        raise CellError(Said(N_("'%(value)s' is implausibly large"), value=shown))
    return paise
