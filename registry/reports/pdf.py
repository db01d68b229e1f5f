"""The credit report as a PDF, set in the Noto fonts shipped with the registry
(`registry.printing`): ₹ and names in Devanagari print as written, and copy out as text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fpdf.enums import XPos, YPos

from registry.language import day, words
from registry.money import rupees
from registry.printing import FAMILY, Document
from registry.reports.credit_report import CreditReport, not_counted_sentences
from registry.reports.history import HistoryPoint
from registry.settings import PRODUCT_NAME


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _day(iso: str | None) -> str:
    """An ISO date or time from the report, as 4 Dec 2026."""
    if not iso:
        return ""
    if len(iso) == 10:
        return day(date.fromisoformat(iso))
    return day(datetime.fromisoformat(iso.replace("Z", "+00:00")))


def _money(paise: int) -> str:
    return rupees(paise)


class _Report(Document):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 6, f"{PRODUCT_NAME} · page {self.page_no()}", align="C")


def _chart(pdf: _Report, series: list[HistoryPoint]) -> None:
    """The score history as a line over 0..100, drawn with fpdf2's vector lines."""
    left, top, width, height = pdf.l_margin + 10, pdf.get_y() + 2, 150.0, 35.0
    pdf.set_font(FAMILY, size=7)
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    for mark in (0, 50, 100):
        y = top + height * (100 - mark) / 100
        pdf.line(left, y, left + width, y)
        pdf.text(left - 6, y + 1, str(mark))
    step = width / (len(series) - 1)
    points = [
        (left + i * step, top + height * (100 - point["value"]) / 100)
        for i, point in enumerate(series)
    ]
    pdf.set_draw_color(31, 95, 153)
    pdf.set_line_width(0.6)
    pdf.polyline(points)
    for i, point in enumerate(series):
        if i in (0, len(series) - 1) or i % 3 == 0:
            pdf.text(points[i][0] - 7, top + height + 5, _day(point["on"]))
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.set_y(top + height + 8)


def render_pdf(report: CreditReport, code: str | None = None, verify_url: str = "") -> bytes:
    """The report as a PDF; a sold report's carries its version's verification `code`,
    which anyone can check at `verify_url`."""
    business, score = report["business"], report["score"]
    pdf = _Report()
    pdf.set_title(_text(f"Credit report: {business['name']}"))
    pdf.set_author(PRODUCT_NAME)
    pdf.add_page()

    def line(text: str, size: int = 10, style: str = "") -> None:
        pdf.set_font(FAMILY, style=style, size=size)
        pdf.multi_cell(0, size * 0.55, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(f"Credit report: {business['name']}", 16, "B")
    line(f"Generated {_day(report['generated_at'])} by {PRODUCT_NAME}")
    if code:
        line(f"Verification code: {code}", 10, "B")
        line(f"Check it at {verify_url or '/verify-report'}: valid, and whether superseded.", 8)
    pdf.ln(3)
    line("Identity", 12, "B")
    line(f"Also known as: {', '.join(business['aliases']) or '-'}")
    line(f"PAN: {business['pan'] or '-'}    GSTINs: {', '.join(business['gstins']) or '-'}")
    line(f"City / state: {business['city'] or '-'} / {business['state'] or '-'}")
    pdf.ln(3)
    line(f"Risk score: {score['value']} / 100 (grade {score['grade']})", 12, "B")
    for factor in score["factors"]:
        line(f"  {factor['points']:+.1f}  {factor['label']}")
    for sentence, values in not_counted_sentences(score.get("not_counted", {})):  # type: ignore[arg-type]
        line(f"  {sentence % values if values else sentence}")
    series = score.get("history", [])
    if len(series) > 1:
        pdf.ln(2)
        line("The score over the last 12 months", 10, "B")
        _chart(pdf, series)
    line(f"Suggested credit limit: {report['credit_limit']['band']}")
    pdf.ln(3)
    line(f"Complaints ({len(report['complaints'])})", 12, "B")
    if not report["complaints"]:
        line("No listed, disputed or settled complaints.")
    for row in report["complaints"]:
        settled = f", settled {_day(row['settled_on'])}" if row["settled_on"] else ""
        line(
            f"#{row['ref']} {words(row['status'])} · reported {_day(row['reported_on'])}"
            f"{settled} by a member"
            + (f" in {row['reporter_industry']}" if row["reporter_industry"] else ""),
            10,
            "B",
        )
        line(
            f"Invoiced {_money(row['amount_paise'])}, outstanding "
            f"{_money(row['outstanding_paise'])}, up to {row['days_past_due']} days past due"
        )
        with pdf.table(col_widths=(25, 25, 30, 30, 25), text_align="RIGHT") as table:
            table.row(["Invoice date", "Due date", "Amount", "Paid", "Days past due"])
            for invoice in row["invoices"]:
                table.row(
                    [
                        _day(invoice["invoice_date"]),
                        _day(invoice["due_date"]),
                        _money(invoice["amount_paise"]),
                        _money(invoice["paid_paise"]),
                        str(invoice["days_past_due"]),
                    ]
                )
        pdf.ln(2)
    line(
        "Reporters are not named in reports. The score and limit are guidance computed from "
        "the registry's records (see how the score works in the portal), not a guarantee.",
        8,
    )
    return bytes(pdf.output())
