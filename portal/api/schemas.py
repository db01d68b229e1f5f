"""Marshmallow schemas of the API's answers; the OpenAPI document is built from them."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.String())


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


class Me(Schema):
    user_id = fields.Integer()
    email = fields.String()
    role = fields.String()
    member_id = fields.Integer(allow_none=True)
    member_name = fields.String(allow_none=True)


class InvoiceOut(Schema):
    number = fields.String()
    invoice_date = fields.Date()
    due_date = fields.Date()
    amount_paise = fields.Integer()
    paid_paise = fields.Integer()


class HistoryEntry(Schema):
    at = fields.DateTime(format="iso")
    from_ = fields.String(data_key="from", allow_none=True)
    to = fields.String(allow_none=True)
    by = fields.String()
    note = fields.String(allow_none=True)


class ComplaintSummary(Schema):
    id = fields.Integer()
    status = fields.String()
    business_id = fields.Integer()
    amount_outstanding_paise = fields.Integer()
    notice_ends_at = fields.DateTime(format="iso", allow_none=True)
    created_at = fields.DateTime(format="iso")


class ComplaintDetail(ComplaintSummary):
    invoices = fields.List(fields.Nested(InvoiceOut))
    history = fields.List(fields.Nested(HistoryEntry))


class ComplaintList(Schema):
    complaints = fields.List(fields.Nested(ComplaintSummary))
