"""The tax invoice (and credit note) as a PDF, in the Noto fonts every printed document
uses (`registry.printing`): seller and buyer with their GSTINs, place of supply, SAC, the
taxable value, the tax as CGST + SGST or IGST, and the total in figures and in words."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf.enums import XPos, YPos

from matching.kinds import gstin_state
from registry.language import day
from registry.models import TaxDocument, TaxDocumentKind
from registry.money import rupees
from registry.payments.tax_invoices import (
    SAC,
    SAC_DESCRIPTION,
    amount_in_words,
    document_number,
    state_code,
    taxes,
)
from registry.printing import FAMILY, Document
from registry.settings import PRODUCT_NAME, Settings

TITLE = {TaxDocumentKind.INVOICE: "Tax Invoice", TaxDocumentKind.CREDIT_NOTE: "Credit Note"}


def render_tax_documents(settings: Settings, documents: Sequence[TaxDocument]) -> bytes:
    """One page per document: the invoice, then its credit note when refunded."""
    pdf = Document()
    pdf.set_title(" / ".join(f"{TITLE[d.kind]} {document_number(d)}" for d in documents))
    pdf.set_author(settings.registry_legal_name)
    invoice = next((d for d in documents if d.kind is TaxDocumentKind.INVOICE), None)
    for document in documents:
        _page(pdf, settings, document, invoice)
    return bytes(pdf.output())


def _place(gstin: str) -> str:
    return f"{gstin_state(gstin) or 'unknown state'} ({state_code(gstin)})"


def _page(
    pdf: Document, settings: Settings, document: TaxDocument, invoice: TaxDocument | None
) -> None:
    pdf.add_page()

    def line(text: str, size: int = 10, style: str = "") -> None:
        pdf.set_font(FAMILY, style=style, size=size)
        pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    figures = taxes(document.amount_paise, settings.registry_gstin, document.buyer_gstin)
    line(TITLE[document.kind], 18, "B")
    line(f"No. {document_number(document)}    Date {day(document.issued_at)}", 11, "B")
    if document.kind is TaxDocumentKind.CREDIT_NOTE and invoice is not None:
        line(
            f"Against tax invoice {document_number(invoice)} of {day(invoice.issued_at)}: "
            "the report order was refunded in full."
        )
    pdf.ln(3)
    line("Supplier", 11, "B")
    line(settings.registry_legal_name)
    line(settings.registry_address)
    line(f"GSTIN {settings.registry_gstin}    State {_place(settings.registry_gstin)}")
    pdf.ln(2)
    line("Recipient", 11, "B")
    line(document.buyer_name)
    line(f"GSTIN {document.buyer_gstin}    State {_place(document.buyer_gstin)}")
    line(f"Place of supply: {_place(document.buyer_gstin)}")
    pdf.ln(3)
    rows = [["Description", "SAC", "Taxable value"]]
    values = [
        f"{PRODUCT_NAME} credit report, order #{document.order_id} ({SAC_DESCRIPTION})",
        SAC,
        rupees(figures.taxable),
    ]
    if figures.intra_state:
        rows[0] += ["CGST 9%", "SGST 9%"]
        values += [rupees(figures.cgst), rupees(figures.sgst)]
    else:
        rows[0] += ["IGST 18%"]
        values += [rupees(figures.igst)]
    rows[0].append("Total")
    values.append(rupees(figures.total))
    widths = (70, 20, 28, 24, 24, 24) if figures.intra_state else (80, 20, 30, 30, 30)
    pdf.set_font(FAMILY, size=9)
    with pdf.table(col_widths=widths) as table:
        for row in (rows[0], values):
            table.row(row)
    pdf.ln(3)
    line(f"Total: {rupees(figures.total)}", 11, "B")
    line(f"In words: {amount_in_words(figures.total)}")
    line(
        f"Tax: {rupees(figures.tax)} of which "
        + (
            f"CGST {rupees(figures.cgst)} and SGST {rupees(figures.sgst)}"
            if figures.intra_state
            else f"IGST {rupees(figures.igst)}"
        )
        + ". Tax is not payable on reverse charge."
    )
    pdf.ln(4)
    line(
        "Paid through the registry's payment gateway. This is a computer-generated "
        "document and needs no signature.",
        8,
    )
