"""The watchlist through the API (API.md): watch a business, list, stop watching.

Watching a business already watched answers 200 with the existing watch (201 only when
a watch is created), so a client may simply repeat the call. An unknown `business_id` is
a 422 with `fields.business_id`; a merged id watches the surviving business."""

from __future__ import annotations

from typing import Any

from portal.api import bp, paging
from portal.api.keys import SECURITY, api_actor, api_member_id, key_required
from portal.api.schemas import WatchIn, WatchOut
from portal.database import db
from registry.members import api_keys, watches
from registry.models import Business, Watch


def _out(watch: Watch, business: Business) -> dict[str, Any]:
    return {
        "id": watch.id,
        "business_id": business.id,
        "name": business.name,
        "created_at": watch.created_at,
    }


@bp.route("/watches", methods=["POST"])
@key_required(api_keys.WATCH)
@bp.arguments(WatchIn)
@bp.response(201, WatchOut, description="The watch was created.")
@bp.alt_response(200, schema=WatchOut, description="Already watched: the existing watch.")
@bp.alt_response(422, description="No such business (`fields.business_id`).")
@bp.doc(security=SECURITY)
def create_watch(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Watch a business: you are alerted when its complaints are listed or change state."""
    api_member_id()
    watched = watches.watch(db(), api_actor(), body["business_id"])
    return _out(watched.watch, watched.business), 201 if watched.created else 200


@bp.route("/watches")
@key_required(api_keys.WATCH)
@bp.response(200, WatchOut(many=True), headers=paging.HEADERS)
@bp.doc(security=SECURITY, parameters=paging.PARAMETERS)
def list_watches() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Your member's watches, newest first (paged)."""
    rows, headers = paging.page_of(watches.for_member(api_member_id()), rows=True)
    return [_out(watch, business) for watch, business in rows], headers


@bp.route("/watches/<int:watch_id>", methods=["DELETE"])
@key_required(api_keys.WATCH)
@bp.response(204)
@bp.alt_response(404, description="No such watch of yours.")
@bp.doc(security=SECURITY)
def delete_watch(watch_id: int) -> None:
    """Stop watching. Another member's watch answers 404, like an unknown one."""
    api_member_id()
    watches.unwatch(db(), api_actor(), watch_id)
