"""Report orders: their allowed moves. Fulfilment from gateway events builds on this."""

from __future__ import annotations

from registry.models import OrderStatus
from registry.states import StateMachine

LIFE = StateMachine[OrderStatus](
    entity="order",
    moves={
        OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.EXPIRED}),
        OrderStatus.PAID: frozenset({OrderStatus.REFUNDED}),
        OrderStatus.EXPIRED: frozenset(),
        OrderStatus.REFUNDED: frozenset(),
    },
)
