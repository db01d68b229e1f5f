"""Marshmallow schemas of the API's answers; the OpenAPI document is built from them."""

from __future__ import annotations

from typing import Any

from marshmallow import INCLUDE, Schema, fields, validate

from registry.complaints import disputes

#: The largest id the database's id columns hold (a PostgreSQL `integer`).
MAX_ID = 2**31 - 1
#: The largest amount a JSON body may carry (a PostgreSQL `bigint`).
MAX_PAISE = 2**63 - 1


def record_id(**kwargs: Any) -> fields.Integer:
    """An id in a request body: a whole number the id columns can hold."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def paise(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_PAISE), **kwargs)


class ErrorBody(Schema):
    class Meta:
        unknown = INCLUDE  # details beside the code, e.g. "candidates"

    code = fields.String(
        required=True,
        metadata={
            "description": "Stable: validation, unauthorized, not_found, duplicate_invoice, "
            "confirm_business, invalid_transition, payment_required, rate_limited, "
            "idempotency_conflict, no_verified_contact, conflict, payment_reused, unavailable."
        },
    )
    message = fields.String(required=True)
    field_errors = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")


class Error(Schema):
    """Every error's shape: `{"error": {"code", "message", "fields"?, ...}}`."""

    class Meta:
        unknown = INCLUDE

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


class DebtorIn(Schema):
    name = fields.String(load_default="")
    gstin = fields.String(load_default=None, allow_none=True)
    pan = fields.String(load_default=None, allow_none=True)
    city = fields.String(load_default=None, allow_none=True)
    state = fields.String(load_default=None, allow_none=True)
    email = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Where the notice goes; this or `mobile` (or one on record)."},
    )
    mobile = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "An Indian mobile (10 digits or +91...): the notice goes by SMS "
            "and WhatsApp too.",
            "example": "+919876543210",
        },
    )
    business_id = record_id(load_default=None, allow_none=True)
    new_business = fields.Boolean(load_default=False)


class InvoiceIn(Schema):
    number = fields.String(required=True)
    invoice_date = fields.Date(required=True)
    due_date = fields.Date(required=True)
    amount_paise = paise(required=True)
    paid_paise = paise(load_default=0)


class FileIn(Schema):
    filename = fields.String(required=True)
    content_base64 = fields.String(required=True)


class ComplaintIn(Schema):
    debtor = fields.Nested(DebtorIn, required=True)
    invoices = fields.List(fields.Nested(InvoiceIn), required=True)
    evidence = fields.List(fields.Nested(FileIn), required=True)
    note = fields.String(load_default=None, allow_none=True)


class ComplaintFiled(Schema):
    id = fields.Integer()
    status = fields.String()
    business_id = fields.Integer()
    amount_outstanding_paise = fields.Integer()
    notice_ends_at = fields.DateTime(format="iso")


class NoteIn(Schema):
    note = fields.String(load_default=None, allow_none=True)


class DisputeIn(Schema):
    reason = fields.String(required=True)
    statement = fields.String(required=True)
    documents = fields.List(fields.Nested(FileIn), load_default=list)


class DisputeOpened(Schema):
    dispute_id = fields.Integer()
    status = fields.String()


class EvidenceOut(Schema):
    id = fields.Integer()
    filename = fields.String(attribute="original_name")
    content_type = fields.String()
    size_bytes = fields.Integer()
    sha256 = fields.String()


class DisputeOut(Schema):
    id = fields.Integer()
    complaint_id = fields.Integer()
    reason = fields.Function(lambda d: d.reason.value)
    statement = fields.String()
    status = fields.Function(lambda d: d.status.value)
    opened_at = fields.DateTime(format="iso")
    due_at = fields.DateTime(format="iso")
    decided_at = fields.DateTime(format="iso", allow_none=True)
    decision_note = fields.String(allow_none=True)
    corrected_from_paise = fields.Integer(
        allow_none=True, metadata={"description": "A corrected decision: the amount claimed."}
    )
    corrected_to_paise = fields.Integer(
        allow_none=True, metadata={"description": "A corrected decision: the amount that stands."}
    )


class AdminDisputeOut(DisputeOut):
    business_id = fields.Function(lambda d: d.complaint.business_id)
    overdue = fields.Function(lambda d: disputes.is_overdue(d))


class DecisionIn(Schema):
    outcome = fields.String(
        required=True, validate=validate.OneOf(["upheld", "rejected", "corrected"])
    )
    note = fields.String(required=True)
    amount_outstanding_paise = paise(
        metadata={"description": "With `corrected`: the amount that stands (0 settles it)."}
    )


class Party(Schema):
    name = fields.String()
    gstin = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)


class InterestLine(Schema):
    number = fields.String()
    outstanding_paise = fields.Integer()
    interest_paise = fields.Integer()


class NoticeOut(Schema):
    complaint_id = fields.Integer()
    status = fields.String()
    business = fields.Dict()
    reported_by = fields.Nested(Party)
    invoices = fields.List(fields.Nested(InvoiceOut))
    amount_outstanding_paise = fields.Integer()
    notice_ends_at = fields.DateTime(format="iso", allow_none=True)
    promised_payment_date = fields.Date(allow_none=True)
    msmed_interest = fields.List(fields.Nested(InterestLine), allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceOut))
    disputes = fields.List(fields.Nested(DisputeOut))


class BusinessOut(Schema):
    business_id = fields.Integer()
    name = fields.String()
    gstins = fields.List(fields.String())
    pan = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    score = fields.Float()
    listed_complaints = fields.Integer(
        metadata={"description": "Complaints in the state listed (others see them)."}
    )
    disputed_complaints = fields.Integer(
        metadata={"description": "Listed complaints the business disputes, awaiting a decision."}
    )
    settled_complaints = fields.Integer(
        metadata={"description": "Complaints settled within the last five years."}
    )


class SearchOut(Schema):
    kind = fields.String()
    results = fields.List(fields.Nested(BusinessOut))


class SearchArgs(Schema):
    q = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), validate.Regexp(r"\s*\S")],
        metadata={"description": "a name, GSTIN or PAN (not only spaces)"},
    )
    state = fields.String(load_default=None)
    city = fields.String(load_default=None)
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class DuplicatePairOut(Schema):
    id = fields.Integer()
    a = fields.Integer(attribute="a_id")
    b = fields.Integer(attribute="b_id")
    score = fields.Float()
    reasons = fields.List(fields.String())
    a_business = fields.Nested(BusinessOut)
    b_business = fields.Nested(BusinessOut)


class MergeIn(Schema):
    keep = record_id(required=True)
    merge = record_id(required=True)


class MergeOut(Schema):
    merge_id = fields.Integer()
    keep = fields.Integer()
    merged = fields.Integer()
    undone = fields.Boolean()
    business = fields.Nested(BusinessOut)


class OrderIn(Schema):
    business_id = record_id(required=True)


class OrderOut(Schema):
    id = fields.Integer()
    status = fields.String()
    business_id = fields.Integer()
    amount_paise = fields.Integer()
    currency = fields.String()
    checkout_session_id = fields.String(allow_none=True)
    checkout_url = fields.String()
    created_at = fields.DateTime(format="iso")
    expires_at = fields.DateTime(format="iso", allow_none=True)
    paid_at = fields.DateTime(format="iso", allow_none=True)
    refunded_at = fields.DateTime(format="iso", allow_none=True)
    report_readable_until = fields.DateTime(format="iso", allow_none=True)


class Factor(Schema):
    name = fields.String()
    label = fields.String(metadata={"description": "The reason as an English sentence."})
    text = fields.String(
        metadata={"description": "The sentence as a catalogue message with %(name)s slots."}
    )
    values = fields.Dict(
        keys=fields.String(), metadata={"description": "What fills the message's slots."}
    )
    points = fields.Float()


class NotCounted(Schema):
    in_notice = fields.Integer(
        metadata={"description": "Complaints in their notice period: not counted yet."}
    )
    under_dispute = fields.Integer(
        metadata={"description": "Complaints disputed before being listed: not counted."}
    )


class ScorePoint(Schema):
    on = fields.String(metadata={"description": "A month's last day (ISO), or today."})
    value = fields.Integer()
    grade = fields.String()


class ScoreOut(Schema):
    value = fields.Integer()
    grade = fields.String()
    factors = fields.List(fields.Nested(Factor))
    not_counted = fields.Nested(NotCounted)
    history = fields.List(
        fields.Nested(ScorePoint),
        metadata={"description": "The score at each of the last 12 month-ends, then today."},
    )


class CreditLimit(Schema):
    band = fields.String()
    max_paise = fields.Integer()


class Identity(Schema):
    business_id = fields.Integer()
    name = fields.String()
    aliases = fields.List(fields.String())
    pan = fields.String(allow_none=True)
    gstins = fields.List(fields.String())
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)


class ReportInvoice(Schema):
    invoice_date = fields.String()
    due_date = fields.String()
    amount_paise = fields.Integer()
    paid_paise = fields.Integer()
    days_past_due = fields.Integer()


class ReportComplaint(Schema):
    ref = fields.Integer()
    status = fields.String()
    reporter_industry = fields.String()
    reported_on = fields.String()
    settled_on = fields.String(allow_none=True)
    amount_paise = fields.Integer()
    outstanding_paise = fields.Integer()
    days_past_due = fields.Integer()
    invoices = fields.List(fields.Nested(ReportInvoice))


class ReportOut(Schema):
    business = fields.Nested(Identity)
    score = fields.Nested(ScoreOut)
    credit_limit = fields.Nested(CreditLimit)
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    complaints = fields.List(fields.Nested(ReportComplaint))
    generated_at = fields.String()
    order_id = fields.Integer()
    readable_until = fields.DateTime(format="iso")
    version = fields.Integer(
        metadata={
            "description": "This report's version (1 when bought; a newer one each "
            "time the current version is opened after a change)."
        }
    )
    verification_code = fields.String(
        metadata={
            "description": "The code printed on this version's PDF; anyone may check "
            "it at GET /api/v1/reports/verify/{code} or on the page /verify-report."
        }
    )
    superseded = fields.Boolean(
        metadata={
            "description": "True when the registry's report on this business now says "
            "something else (a complaint settled, removed, corrected or newly listed)."
        }
    )
    current_version_url = fields.String(
        allow_none=True,
        metadata={
            "description": "While superseded: where to read the current version, free "
            "until readable_until. Null otherwise."
        },
    )


class ReportVerified(Schema):
    valid = fields.Boolean(required=True)
    business_name = fields.String(allow_none=True)
    generated_at = fields.DateTime(format="iso", allow_none=True)
    version = fields.Integer(allow_none=True)
    superseded = fields.Boolean(allow_none=True)


class WatchIn(Schema):
    business_id = record_id(required=True)


class WatchOut(Schema):
    id = fields.Integer()
    business_id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime(format="iso")


class SuspendIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=5, max=2000))


class MemberOut(Schema):
    id = fields.Integer()
    name = fields.String()
    gstin = fields.String()
    status = fields.String()
    status_reason = fields.String(allow_none=True)


class PrivacyRequestIn(Schema):
    kind = fields.String(
        required=True, validate=validate.OneOf(["access", "correction", "erasure"])
    )
    email = fields.String(
        required=True,
        validate=validate.Length(min=3, max=254),
        metadata={"format": "email", "description": "Where the answer is sent."},
    )
    details = fields.String(required=True, validate=validate.Length(min=10, max=5000))


class PrivacyRequestOut(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda r: r.kind.value)
    status = fields.Function(lambda r: r.status.value)
    due_at = fields.DateTime(format="iso")


class ClaimIn(Schema):
    business_id = record_id()
    gstin = fields.String(validate=validate.Length(max=20))
    channel = fields.String(validate=validate.OneOf(["email", "sms"]))


class ClaimStarted(Schema):
    claim_id = fields.Integer()
    sent_to = fields.String()


class ClaimCodeIn(Schema):
    code = fields.String(required=True, validate=validate.Length(max=20))


class AccessToken(Schema):
    access_token = fields.String()


class MyBusiness(Schema):
    business = fields.Nested(Identity)
    email = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    claimed_at = fields.DateTime(format="iso", allow_none=True)


class InquiryOut(Schema):
    at = fields.Date(metadata={"description": "The day of the enquirer's pulls."})
    industry = fields.String()
    state = fields.String(allow_none=True)
    member = fields.String(
        allow_none=True, metadata={"description": "Only when the member agreed to be named."}
    )


class AliasOut(Schema):
    id = fields.Integer()
    name = fields.String()
    source = fields.String(
        metadata={
            "description": "Where the name came from: `import`, `filing_identified`, "
            "`filing_matched`, `admin`, `merge`; `filing_unjudged` for a name a filing gave "
            "before names had provenance, until it is re-judged (init-db and the worker do it)."
        }
    )
    created_at = fields.DateTime(format="iso")


class AliasIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=300))
