"""Report orders: their allowed moves. Fulfilment from gateway events builds on this."""

from __future__ import annotations

from registry.models import OrderStatus
from registry.states import StateMachine

O = OrderStatus

LIFE = StateMachine[OrderStatus](
    entity="order",
    moves={
        O.PENDING: frozenset({O.PAID, O.EXPIRED}),
        O.PAID: frozenset({O.REFUNDED}),
        O.EXPIRED: frozenset(),
        O.REFUNDED: frozenset(),
    },
)
