"""Paged lists: every list page shows at most `PER_PAGE` rows and a pager under them.

`paginate()` runs the service's query for one page (and a count); `page_url()` is the
template global that links to another page of the current view, keeping its filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request, url_for
from sqlalchemy import Select, func, select

from portal.database import db

T = TypeVar("T")

PER_PAGE = 25


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.per_page, self.total)


def page_number() -> int:
    raw = request.args.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() and len(raw) < 7 else 1


def paginate(
    query: Select[*tuple[Any, ...]], per_page: int = PER_PAGE, *, rows: bool = False
) -> Page[Any]:
    """One page of `query` (a page past the end shows the last one). With `rows`, items
    are result rows (for queries of several entities); otherwise single objects."""
    total = db().scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    number = min(page_number(), pages)
    window = query.offset((number - 1) * per_page).limit(per_page)
    items = list(db().execute(window).all()) if rows else list(db().scalars(window).all())
    return Page(items, number, per_page, total)


def paginate_list(items: Sequence[T], per_page: int = PER_PAGE) -> Page[T]:
    """A page of a list a service already returned (short lists, e.g. API keys)."""
    pages = max((len(items) + per_page - 1) // per_page, 1)
    number = min(page_number(), pages)
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, per_page, len(items))


def page_url(number: int) -> str:
    """This page's address with another page number (other query arguments kept)."""
    # Arguments named like url_for's own options (_external, _scheme, _anchor, _method)
    # would steer or break the link: a list's own arguments never start with "_".
    values: dict[str, Any] = {
        k: v for k, v in request.args.items() if k != "page" and not k.startswith("_")
    }
    values.update(request.view_args or {}, page=number)
    return url_for(request.endpoint or "web.index", **values)
