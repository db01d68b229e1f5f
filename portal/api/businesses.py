"""Search and identity: free, identity only (amounts are in the paid report)."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify

from portal.api import bp, quotas
from portal.api.errors import ApiError
from portal.api.keys import SECURITY, key_required
from portal.api.schemas import BusinessOut, SearchArgs, SearchOut
from portal.database import db, index_copies, read_db, settings
from registry.directory import businesses, search
from registry.members import api_keys


def identity(hit: search.Hit) -> dict[str, Any]:
    business = hit.business
    return {
        "business_id": business.id,
        "name": business.name,
        "gstins": hit.gstins,
        "pan": business.pan,
        "city": business.city,
        "state": business.state,
        "score": float(hit.score),
        "listed_complaints": hit.listed_complaints,
        "disputed_complaints": hit.disputed_complaints,
        "settled_complaints": hit.settled_complaints,
    }


def search_quota() -> str:
    return f"{settings().api_search_per_minute} per minute"


@bp.route("/businesses/search")
@key_required(api_keys.SEARCH, index_changes=True, user=False)
@quotas.per_key(search_quota)
# one schema for every search: given the class, each request made its own (fields copied,
# and referring back to it, so left for the garbage collector)
@bp.arguments(SearchArgs(), location="query")
@bp.response(200, SearchOut)
@bp.doc(security=SECURITY)
def search_businesses(args: dict[str, Any]) -> Response:
    """One box: a GSTIN, a PAN or a name (tolerant of spelling); best first."""
    q = args["q"].strip()
    if not q or len(q) > 200:
        raise ApiError(
            422, "validation", "Say what to search for.", {"q": "give a name, GSTIN or PAN"}
        )
    found = search.search(
        read_db(),
        q,
        city=args["city"],
        state=args["state"],
        limit=args["limit"],
        copies=index_copies(),
        read=g.get("index_changes"),
    )
    # Answered as it is: `search_body` is already what `SearchOut` dumps it to (a test
    # holds them equal), and dumping it field by field cost more than encoding it.
    return jsonify(search_body(found))


def search_body(found: search.SearchResult) -> dict[str, Any]:
    """A search's answer, in the shape and types of `SearchOut`."""
    return {"kind": found.kind, "results": [identity(h) for h in found.hits]}


@bp.route("/businesses/<int:business_id>")
@key_required(api_keys.SEARCH, user=False)
@bp.response(200, BusinessOut)
@bp.doc(security=SECURITY)
def get_business(business_id: int) -> dict[str, Any]:
    """A business's identity; a merged id answers the surviving business."""
    business = businesses.get(db(), business_id)
    if business is None:
        raise ApiError(404, "not_found", f"No business {business_id}.")
    return identity(search.identity_hit(db(), business))
