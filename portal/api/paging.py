"""Every JSON list is paged the same way (API.md "Lists, limits and keys"): `?page=N&
per_page=M` (default 50, at most 500), a bare list in the body, `X-Total-Count` and a
`Link` header with `next`/`prev` (and `first`/`last`) as GitHub's API does. Nothing is
cut short without a `next` link.

Links are built on `PUBLIC_BASE_URL`, never on the request's Host header."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request
from sqlalchemy import Select, func, select

from portal.api.errors import ApiError
from portal.database import db, settings

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000

PARAMETERS = [
    {
        "in": "query",
        "name": "page",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    {
        "in": "query",
        "name": "per_page",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
    },
]
HEADERS = {
    "X-Total-Count": {
        "description": "How many items the whole list has.",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'Other pages, e.g. `<url>; rel="next"` (also prev, first, last).',
        "schema": {"type": "string"},
    },
}


def _number(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 7 or not 1 <= int(raw) <= maximum:
        raise ApiError(
            422,
            "validation",
            "The request has invalid fields.",
            {name: f"a whole number from 1 to {maximum}"},
        )
    return int(raw)


def page_args() -> tuple[int, int]:
    return _number("page", 1, MAX_PAGE), _number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)


def _url(page: int, per_page: int) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in {"page", "per_page"}]
    args += [("page", str(page)), ("per_page", str(per_page))]
    return f"{settings().public_base_url}{request.path}?{urlencode(args)}"


def headers(page: int, per_page: int, total: int) -> dict[str, str]:
    last = max((total + per_page - 1) // per_page, 1)
    links = []
    if page < last:
        links.append(f'<{_url(page + 1, per_page)}>; rel="next"')
    if page > 1:
        links.append(f'<{_url(min(page - 1, last), per_page)}>; rel="prev"')
    links.append(f'<{_url(1, per_page)}>; rel="first"')
    links.append(f'<{_url(last, per_page)}>; rel="last"')
    return {"X-Total-Count": str(total), "Link": ", ".join(links)}


def page_of(
    query: Select[*tuple[Any, ...]], *, rows: bool = False
) -> tuple[list[Any], dict[str, str]]:
    """One page of `query` (objects, or result rows with `rows`) and its headers."""
    page, per_page = page_args()
    total = db().scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    window = query.offset((page - 1) * per_page).limit(per_page)
    items = list(db().execute(window).all()) if rows else list(db().scalars(window).all())
    return items, headers(page, per_page, total)
