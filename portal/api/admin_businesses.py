"""Admins' duplicate queue and merges through the API."""

from __future__ import annotations

from typing import Any

from portal.api import bp, paging
from portal.api.businesses import identity
from portal.api.errors import ApiError
from portal.api.keys import SECURITY, api_actor, key_required
from portal.api.schemas import AliasIn, AliasOut, DuplicatePairOut, MergeIn, MergeOut
from portal.database import db
from registry.directory import businesses, duplicates, merges, search
from registry.models import Business, BusinessAlias, BusinessMerge, DuplicatePair


def _business(business_id: int) -> dict[str, Any]:
    business = db().get(Business, business_id)
    return identity(search.identity_hit(db(), business)) if business else {}


def _pair(pair: DuplicatePair) -> dict[str, Any]:
    return {
        "id": pair.id,
        "a_id": pair.a_id,
        "b_id": pair.b_id,
        "score": pair.score,
        "reasons": duplicates.reasons(pair),
        "a_business": _business(pair.a_id),
        "b_business": _business(pair.b_id),
    }


def _merge(record: BusinessMerge) -> dict[str, Any]:
    survivor = businesses.get(db(), record.kept_id)
    return {
        "merge_id": record.id,
        "keep": record.kept_id,
        "merged": record.merged_id,
        "undone": record.undone_at is not None,
        "business": identity(search.identity_hit(db(), survivor)) if survivor else None,
    }


@bp.route("/admin/duplicates")
@key_required(admin=True)
@bp.response(200, DuplicatePairOut(many=True), headers=paging.HEADERS)
@bp.doc(security=SECURITY, parameters=paging.PARAMETERS)
def duplicate_queue() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Probable duplicate pairs from the last `find-duplicates`, best first (paged)."""
    pairs, headers = paging.page_of(duplicates.open_pairs_query())
    return [_pair(p) for p in pairs], headers


@bp.route("/admin/businesses/merge", methods=["POST"])
@key_required(admin=True)
@bp.arguments(MergeIn)
@bp.response(200, MergeOut)
@bp.doc(security=SECURITY)
def merge_businesses(body: dict[str, int]) -> dict[str, Any]:
    """Merge `merge` into `keep`: complaints, orders, watches and aliases move."""
    return _merge(merges.merge(db(), body["keep"], body["merge"], api_actor()))


@bp.route("/admin/merges/<int:merge_id>/undo", methods=["POST"])
@key_required(admin=True)
@bp.response(200, MergeOut)
@bp.doc(security=SECURITY)
def undo_merge(merge_id: int) -> dict[str, Any]:
    """Split a merged business off again, exactly as it was."""
    if db().get(BusinessMerge, merge_id) is None:
        raise ApiError(404, "not_found", f"No merge {merge_id}.")
    return _merge(merges.undo(db(), merge_id, api_actor()))


@bp.route("/admin/businesses/<int:business_id>/aliases")
@key_required(admin=True)
@bp.response(200, AliasOut(many=True), headers=paging.HEADERS)
@bp.doc(security=SECURITY, parameters=paging.PARAMETERS)
def business_aliases(business_id: int) -> tuple[list[BusinessAlias], dict[str, str]]:
    """A business's other names, each with where it came from (paged)."""
    if db().get(Business, business_id) is None:
        raise ApiError(404, "not_found", f"No business {business_id}.")
    return paging.page_of(businesses.aliases_query(business_id))


@bp.route("/admin/businesses/<int:business_id>/aliases/<int:alias_id>", methods=["DELETE"])
@key_required(admin=True)
@bp.response(204)
@bp.doc(security=SECURITY)
def remove_business_alias(business_id: int, alias_id: int) -> None:
    """Remove one name (audited); searches stop finding the business by it at once."""
    businesses.remove_alias(db(), business_id, alias_id, api_actor())


@bp.route("/admin/businesses/<int:business_id>/aliases", methods=["POST"])
@key_required(admin=True)
@bp.arguments(AliasIn)
@bp.response(201, AliasOut)
@bp.doc(security=SECURITY)
def add_business_alias(body: dict[str, str], business_id: int) -> BusinessAlias:
    """Add a name (e.g. one a filing reported that was not taken on its own): source
    `admin`, audited, searchable at once."""
    business = businesses.get(db(), business_id)
    if business is None:
        raise ApiError(404, "not_found", f"No business {business_id}.")
    return businesses.add_alias_by_admin(db(), business, body["name"], api_actor())
