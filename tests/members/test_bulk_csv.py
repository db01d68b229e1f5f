"""Reading accounting exports: encodings, dialects, header lines, Indian dates and amounts."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from registry.bulk.reading import (
    MAX_ROWS,
    AmbiguousDate,
    CellError,
    CsvProblem,
    check_mapping,
    file_date_order,
    guess_mapping,
    parse_amount,
    parse_date,
    read_table,
)

CSV = (
    "Party Name,GSTIN/UIN,Bill No,Bill Date,Due on,Amount\n"
    'Lakshmi Paper Mart,,LP-1,01-04-2026,01-05-2026,"1,50,000.00"\n'
)


@pytest.mark.parametrize(
    ("raw", "expected", "family"),
    [
        ("31-07-2026", date(2026, 7, 31), "dmy"),
        ("13/04/2026", date(2026, 4, 13), "dmy"),
        ("25.4.2026", date(2026, 4, 25), "dmy"),
        ("25-04-26", date(2026, 4, 25), "dmy"),
        ("04/25/2026", date(2026, 4, 25), "mdy"),
        ("04-04-2026", date(2026, 4, 4), "dmy"),
        ("2026-04-05", date(2026, 4, 5), "ymd"),
        ("01-Apr-2026", date(2026, 4, 1), "named"),
        ("1-Apr-26", date(2026, 4, 1), "named"),
        ("1 April 2026", date(2026, 4, 1), "named"),
    ],
)
def test_dates_one_order_makes_sense_of_are_read_alone(raw, expected, family):
    assert parse_date(raw) == (expected, family)


def test_a_date_either_order_could_mean_takes_the_files_order():
    with pytest.raises(AmbiguousDate, match="day first or month first"):
        parse_date("04-05-2026")
    assert parse_date("04-05-2026", "dmy") == (date(2026, 5, 4), "dmy")
    assert parse_date("04/05/26", "mdy") == (date(2026, 4, 5), "mdy")
    assert parse_date("31-07-2026", "mdy") == (date(2026, 7, 31), "dmy")  # day first whatever
    assert file_date_order(["04-05-2026", "31-07-2026", "2026-01-02"]) == "dmy"
    assert file_date_order(["04-05-2026", "2026-01-02"]) is None
    assert file_date_order(["31-07-2026", "07/31/2026"]) is None  # both: ask


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("13/13/2026", "not a date"),
        ("31-02-2026", "not a date"),
        ("tomorrow", "not a date"),
        ("", "is empty"),
        ("01-01-1890", "plausible"),
    ],
)
def test_bad_dates_say_what_is_wrong(raw, message):
    with pytest.raises(CellError, match=message):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "paise"),
    [
        ("₹1,50,000.00", 150000_00),
        ("Rs. 45,000", 45000_00),
        ("INR 1234.5", 1234_50),
        ("150,000.00", 150000_00),
        ("12,34,56,789", 123456789_00),
        ("2,000.00 Dr", 2000_00),
        ("₹ 99", 99_00),
        ("0.75", 75),
    ],
)
def test_amounts_in_rupees_become_paise(raw, paise):
    assert parse_amount(raw) == paise


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1,5,0000", "misplaced commas"),
        ("1.234,56", "not an amount"),
        ("-500", "credit or negative"),
        ("(500.00)", "credit or negative"),
        ("500 Cr", "credit or negative"),
        ("12.345", "two decimals"),
        ("abc", "not an amount"),
        ("", "is empty"),
    ],
)
def test_bad_amounts_are_refused(raw, message):
    with pytest.raises(CellError, match=message):
        parse_amount(raw)


def test_an_empty_paid_cell_is_nothing_paid():
    assert parse_amount("", empty_is_zero=True) == 0
    assert parse_amount("-", empty_is_zero=True) == 0


def test_a_tally_export_with_title_lines_is_read():
    content = (
        "Shree Ganesh Textiles\nBills Receivable 1-Apr-2026 to 31-Mar-2027\n\n" + CSV
    ).encode()
    table = read_table(content)
    assert table.headers[:3] == ["Party Name", "GSTIN/UIN", "Bill No"]
    assert table.rows == [
        (5, ["Lakshmi Paper Mart", "", "LP-1", "01-04-2026", "01-05-2026", "1,50,000.00"])
    ]
    assert table.dialect == "comma-separated"


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_the_dialect_is_sniffed(delimiter, name):
    content = CSV.replace(",", delimiter).replace(
        '"1' + delimiter + "50" + delimiter + '000.00"', "150000"
    )
    table = read_table(content.encode())
    assert table.dialect == f"{name}-separated"
    assert table.rows[0][1][0] == "Lakshmi Paper Mart" and len(table.rows[0][1]) == 6


@pytest.mark.parametrize(
    "encoded",
    [codecs.BOM_UTF8 + CSV.encode(), CSV.encode("utf-16"), CSV.replace("\n", "\r\n").encode()],
)
def test_utf8_with_a_bom_utf16_and_windows_line_ends_are_read(encoded):
    assert read_table(encoded).rows[0][1][2] == "LP-1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        ("Party,Amount\nCafé Noir,100\n".encode("latin-1"), r"not UTF-8 text \(line 2"),
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
        (b"\x00\x01\x02binary", "not a text file"),
        (b"Party,Amount\n", "no invoice rows"),
        (b"just one cell\n", "No header line"),
        (b"a,b\n" + b"x" * (3 * 1024 * 1024), "larger than 2 MB"),
        (b"a,b\n" + b"1,2\n" * (MAX_ROWS + 1), f"more than {MAX_ROWS} rows"),
        (b'a,b\n"unclosed,2\n' + b"x" * 200000, "malformed near line 3"),
        (b'a,b\n"unclosed,2\n' + b"x" * 600, "longer than 500 characters"),
    ],
)
def test_bad_files_are_refused_with_a_reason(content, message):
    with pytest.raises(CsvProblem, match=message):
        read_table(content)


def test_tally_and_zoho_headers_are_recognised():
    tally = ["Date", "Ref. No.", "Party's Name", "Pending Amount", "Due on", "GSTIN/UIN"]
    assert guess_mapping(tally, {}) == {
        "debtor_name": "Party's Name",
        "gstin": "GSTIN/UIN",
        "invoice_number": "Ref. No.",
        "invoice_date": "Date",
        "due_date": "Due on",
        "outstanding": "Pending Amount",
    }
    zoho = [
        "Invoice Number",
        "Customer Name",
        "Invoice Date",
        "Due Date",
        "Total",
        "Balance",
        "Email",
    ]
    mapped = guess_mapping(zoho, {})
    assert mapped["amount"] == "Total" and mapped["outstanding"] == "Balance"
    assert mapped["email"] == "Email" and mapped["debtor_name"] == "Customer Name"


def test_a_remembered_mapping_wins_where_its_columns_exist():
    headers = ["Buyer", "Customer", "Bill", "Dt", "Due Date", "Value"]
    remembered = {
        "debtor_name": "Customer",
        "invoice_date": "Dt",
        "amount": "Value",
        "city": "Town",
    }
    mapped = guess_mapping(headers, remembered)
    assert mapped["debtor_name"] == "Customer" and mapped["invoice_date"] == "Dt"
    assert mapped["amount"] == "Value" and "city" not in mapped


def test_missing_and_doubled_columns_are_named():
    errors = check_mapping(
        ["Name", "No"], {"debtor_name": "Name", "invoice_number": "Name", "gstin": "Zip"}
    )
    assert errors["invoice_number"] == "column 'Name' is already used for Debtor name"
    assert errors["gstin"] == "the file has no column 'Zip'"
    assert errors["due_date"] == "choose the column that holds it"
