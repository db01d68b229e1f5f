"""A paid order's GST tax invoice (and credit note) as a downloadable PDF."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response

from portal.database import settings
from registry.models import TaxDocument
from registry.payments.tax_invoice_pdf import render_tax_documents
from registry.payments.tax_invoices import document_number


def invoice_response(documents: Sequence[TaxDocument]) -> Response:
    number = document_number(documents[0]).replace("/", "-")
    response = Response(render_tax_documents(settings(), documents), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="tax-invoice-{number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
