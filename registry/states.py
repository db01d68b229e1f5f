"""The one way a stateful object changes state: check the move, set it, audit it.

Each sub-domain declares its allowed moves (`StateMachine`) and exposes its own
`transition()` built on `apply()`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from registry import audit
from registry.actors import Actor
from registry.errors import InvalidTransition

S = TypeVar("S", bound=enum.Enum)


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    entity: str
    moves: Mapping[S, frozenset[S]]

    def allows(self, current: S, target: S) -> bool:
        return target in self.moves.get(current, frozenset())

    def _check(self, current: S, target: S) -> None:
        if not self.allows(current, target):
            raise InvalidTransition(self.entity, current.value, target.value)

    def _audit(
        self,
        session: Session,
        obj: Any,
        current: S,
        target: S,
        actor: Actor,
        note: str | None,
        action: str,
    ) -> None:
        """The audit row of a move that happened."""
        audit.record(
            session,
            actor,
            self.entity,
            obj.id,
            action,
            from_state=current.value,
            to_state=target.value,
            note=note,
        )

    def apply(
        self,
        session: Session,
        obj: Any,
        target: S,
        actor: Actor,
        note: str | None = None,
        *,
        action: str = "transition",
    ) -> S:
        """Move `obj.status` to `target` or raise `InvalidTransition`; returns the old state."""
        current: S = obj.status
        self._check(current, target)
        obj.status = target
        session.flush()
        self._audit(session, obj, current, target, actor, note, action)
        return current

    def apply_if_unchanged(
        self,
        session: Session,
        obj: Any,
        target: S,
        actor: Actor,
        note: str | None = None,
        *,
        action: str = "transition",
        **values: Any,
    ) -> bool:
        """`apply`, decided by the database: one `UPDATE ... WHERE status = <the state read>`
        (with `values` set alongside). False, writing nothing, when another request moved
        the object first; `obj` then shows where it is now."""
        current: S = obj.status
        self._check(current, target)
        table = type(obj)
        moved = session.execute(
            update(table)
            .where(table.id == obj.id, table.status == current)
            .values(status=target, **values)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], moved).rowcount != 1:
            session.refresh(obj)
            return False
        set_committed_value(obj, "status", target)
        for name, value in values.items():
            set_committed_value(obj, name, value)
        self._audit(session, obj, current, target, actor, note, action)
        return True
