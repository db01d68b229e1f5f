"""Answers a mapped index copy keeps at hand (`registry.search_index.mapped_copy`): the
file never changes, so what was read from it may be kept, in bounded memory (`Recent`),
and what changed since it was written is kept beside it (`Overlaid`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

#: What a look-up answers for a key it does not hold (None is an answer: "none").
MISSING: Any = object()


class Recent:
    """Up to about `size` answers kept at hand, the recently used ones: when the newer half
    is full it becomes the older half (the one before is dropped), and an answer found in
    the older half moves back to the newer. A search's common words stay; a stream of rare
    ones passes through instead of emptying the whole cache, as clearing it when full did
    (with a working set a little larger than the cache, nearly every look-up then missed)."""

    def __init__(self, size: int) -> None:
        self.half = max(size // 2, 1)
        self.newer: dict[Any, Any] = {}
        self.older: dict[Any, Any] = {}

    def get(self, key: Any, default: Any = MISSING) -> Any:
        value = self.newer.get(key, MISSING)
        if value is MISSING:
            value = self.older.get(key, MISSING)
            if value is MISSING:
                return default
            self.put(key, value)
        return value

    def put(self, key: Any, value: Any) -> None:
        if len(self.newer) >= self.half:
            self.older, self.newer = self.newer, {}
        self.newer[key] = value

    def __contains__(self, key: Any) -> bool:
        """Whether `key` is held (without renewing it, unlike `get`)."""
        return key in self.newer or key in self.older

    def clear(self) -> None:
        self.newer, self.older = {}, {}

    def __len__(self) -> int:
        return len(self.newer) + len(self.older)


class Overlaid:
    """A mapping read from the file unless the overlay says otherwise (`None` in the
    overlay: removed since the file was written)."""

    def __init__(self, lookup: Any, size: int, cached: int = 0) -> None:
        self.lookup = lookup
        self.size = size
        self.overlay: dict[Any, Any] = {}
        #: up to about `cached` answers of the file (which never changes) kept at hand
        self.cached = cached
        self.cache = Recent(cached)
        #: how many times the overlay was written (what was derived from it is stale)
        self.changes = 0

    def get(self, key: Any, default: Any = None) -> Any:
        value = self.overlay.get(key, MISSING)
        if value is MISSING:
            value = self.cache.get(key)
            if value is MISSING:
                value = self.lookup(key)
                if self.cached:
                    self.cache.put(key, value)
        return default if value is None else value

    def at_hand(self, keys: Iterable[Any], cached: bool = True) -> tuple[dict[Any, Any], list[Any]]:
        """The answers at hand for these keys (the overlay's, else the cache's unless not
        `cached`; None where a key is known to have none), and the keys whose answers must
        be read from the file (in one look-up for them all, by the caller)."""
        overlay, cache = self.overlay, self.cache
        if not overlay and not cached:
            return {}, list(keys)
        known: dict[Any, Any] = {}
        rest = []
        for key in keys:
            value = overlay.get(key, MISSING)
            if value is MISSING:
                value = cache.get(key) if cached else MISSING
                if value is MISSING:
                    rest.append(key)
                    continue
            known[key] = value
        return known, rest

    def __contains__(self, key: Any) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        self.overlay[key] = value
        self.changes += 1

    def pop(self, key: Any, default: Any = None) -> Any:
        value = self.get(key, default)
        self.overlay[key] = None
        self.changes += 1
        return value

    def update(self, other: dict[Any, Any]) -> None:
        self.overlay.update(other)
        self.changes += 1

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Any]:  # pragma: no cover - not used by searches
        raise TypeError("a mapped index is not listed")
