"""`POST /api/v1/privacy/requests`: anyone (no key needed) asks for access to, correction
or erasure of the data the registry holds about them; an admin answers within 90 days."""

from __future__ import annotations

from typing import Any

from portal.api import bp
from portal.api.schemas import PrivacyRequestIn, PrivacyRequestOut
from portal.database import db
from portal.extensions import limiter
from registry.models import PrivacyRequest
from registry.rights import requests


@bp.route("/privacy/requests", methods=["POST"])
@limiter.limit("5 per minute;30 per day")
@bp.arguments(PrivacyRequestIn)
@bp.response(201, PrivacyRequestOut)
@bp.alt_response(422, description="A field is missing or wrong.")
@bp.alt_response(429, description="Too many requests from this address.")
def file_privacy_request(body: dict[str, Any]) -> PrivacyRequest:
    """Ask for access (a machine-readable export), correction or erasure; the answer
    comes by email within 90 days (`due_at`)."""
    return requests.file(db(), body["kind"], body["email"], body["details"])
