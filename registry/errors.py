"""Domain errors. The web layer maps each to one HTTP status and error code (API.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.language import N_


class RegistryError(Exception):
    """`message` is English (the JSON API answers in English); a page shows it in its
    reader's language: `template` is the catalogue's text and `values` fill it."""

    code = "error"

    def __init__(self, message: str, **values: str) -> None:
        self.template = message
        self.values = values
        self.message = message % values if values else message
        super().__init__(self.message)


class ValidationFailed(RegistryError):
    """Input that cannot be accepted; `fields` maps a dotted field path to its message."""

    code = "validation"

    def __init__(
        self, fields: Mapping[str, str], message: str = "Some fields are invalid."
    ) -> None:
        super().__init__(message)
        self.fields = dict(fields)


class NotFound(RegistryError):
    code = "not_found"


class InvalidTransition(RegistryError):
    code = "invalid_transition"

    def __init__(self, entity: str, current: str, target: str) -> None:
        super().__init__(
            N_("A %(entity)s that is %(current)s cannot become %(target)s."),
            entity=entity,
            current=current,
            target=target,
        )
        self.current = current
        self.target = target


class Conflict(RegistryError):
    """A uniqueness rule refused the change (e.g. the same invoice filed twice)."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.extra = extra


class NotAllowed(RegistryError):
    """The actor may not do this (login refused, member not verified...)."""

    code = "forbidden"


class RateLimited(RegistryError):
    """Too many attempts of something guarded (claim codes for one business, say)."""

    code = "rate_limited"
