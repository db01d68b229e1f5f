"""Claiming a business (no key) and the claimed business's own routes (business token).
A business token opens no member route, and no member's key opens these."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from portal.api import bp, paging
from portal.api.errors import ApiError
from portal.api.schemas import (
    AccessToken,
    ClaimCodeIn,
    ClaimIn,
    ClaimStarted,
    InquiryOut,
    MyBusiness,
    ReportOut,
)
from portal.database import db, settings
from portal.extensions import limiter
from registry.claims import codes, own_file
from registry.errors import NotFound, ValidationFailed
from registry.models import Business, utcnow

F = TypeVar("F", bound=Callable[..., Any])

#: Claims are rate-limited per client address: a code is six digits.
CLAIM_LIMIT = "10 per hour"
VERIFY_LIMIT = "30 per hour"
BUSINESS_SECURITY: list[dict[str, list[str]]] = [{"businessToken": []}]


def business_token_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        business = (
            codes.business_for_token(db(), token.strip()) if scheme.lower() == "bearer" else None
        )
        if business is None:
            raise ApiError(
                401, "unauthorized", "Send a business token: Authorization: Bearer <token>."
            )
        g.business = business
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def my_business() -> Business:
    business: Business = g.business
    return business


@bp.route("/claims", methods=["POST"])
@limiter.limit(CLAIM_LIMIT)
@bp.arguments(ClaimIn)
@bp.response(202, ClaimStarted)
@bp.alt_response(404, description="No such business.")
@bp.alt_response(409, description="`no_verified_contact`: claim with documents in the portal.")
def start_claim(body: dict[str, Any]) -> dict[str, Any]:
    """Claim a business: a one-time 6-digit code goes to its own contact on record from an
    authoritative source (masked in `sent_to`), never to an address given here."""
    business = codes.find_business(db(), body.get("business_id"), body.get("gstin"))
    started = codes.start(db(), settings().secret_key, business, body.get("channel"))
    return {"claim_id": started.claim.id, "sent_to": started.sent_to}


@bp.route("/claims/<int:claim_id>/verify", methods=["POST"])
@limiter.limit(VERIFY_LIMIT)
@bp.arguments(ClaimCodeIn)
@bp.response(200, AccessToken)
@bp.alt_response(404, description="No such claim waiting for a code (used, ended, expired).")
def verify_claim(body: dict[str, Any], claim_id: int) -> dict[str, Any]:
    """The code from the message: a business token for `/me/business...`. A wrong code
    answers 422; five wrong codes end the claim."""
    try:
        token = codes.verify(db(), settings().secret_key, claim_id, body["code"])
    except (ValidationFailed, NotFound):
        db().commit()  # a wrong code counts, and an expired claim ends, though this fails
        raise
    return {"access_token": token}


@bp.route("/me/business")
@business_token_required
@bp.response(200, MyBusiness)
@bp.doc(security=BUSINESS_SECURITY)
def my_business_identity() -> dict[str, Any]:
    """The claimed business's identity and its own contacts."""
    return own_file.identity(db(), my_business(), utcnow())


@bp.route("/me/business/report")
@business_token_required
@bp.response(200, ReportOut)
@bp.doc(security=BUSINESS_SECURITY)
def my_business_report() -> Any:
    """The claimed business's whole file and score, free (the paid report's shape)."""
    return own_file.whole_file(db(), my_business(), utcnow())


@bp.route("/me/business/inquiries")
@business_token_required
@bp.response(200, InquiryOut(many=True), headers=paging.HEADERS)
@bp.doc(security=BUSINESS_SECURITY, parameters=paging.PARAMETERS)
def my_business_inquiries() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Who pulled the business's report (paged, newest first): one line per enquirer and
    day, with its industry and state; its name only where the member agreed to be named."""
    lines = own_file.inquiries(db(), my_business())
    page, per_page = paging.page_args()
    window = lines[(page - 1) * per_page : page * per_page]
    answer = [
        {"at": line.on, "industry": line.industry, "state": line.state, "member": line.name}
        for line in window
    ]
    return answer, paging.headers(page, per_page, len(lines))
