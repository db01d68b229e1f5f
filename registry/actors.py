"""Who did something. Services are told the actor; they never read a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.models import User


@dataclass(frozen=True)
class Actor:
    kind: str  # "user", "admin", "debtor", "gateway", "system"
    label: str
    user_id: int | None = None
    member_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        kind = "admin" if user.is_admin else "user"
        return cls(kind=kind, label=user.email, user_id=user.id, member_id=user.member_id)

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"


SYSTEM = Actor(kind="system", label="registry")
GATEWAY = Actor(kind="gateway", label="payment gateway")
DEBTOR = Actor(kind="debtor", label="reported business (notice link)")
