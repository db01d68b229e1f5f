"""Report orders as members and admins see them: start a checkout, list, come back from
the gateway, expire, refund. Every change of state goes through
`registry.payments.transition()`; only `registry.payments.fulfilment` fulfilment makes one paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import SYSTEM, Actor
from registry.errors import NotAllowed, NotFound
from registry.models import OrderStatus, ReportOrder, utcnow
from registry.payments.gateways import SESSION_PLACEHOLDER, CheckoutRequest, PaymentGateway
from registry.reports import credit_report
from registry.states import StateMachine

#: How long a checkout stays open (Stripe accepts 30 minutes to 24 hours).
ORDER_LIFETIME = timedelta(hours=1)
#: A pending order is expired by the clock only this long after its checkout closed, so the
#: gateway's own `checkout.session.expired` normally comes first.
EXPIRY_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class StartedOrder:
    order: ReportOrder
    checkout_url: str


LIFE = StateMachine[OrderStatus](
    entity="order",
    moves={
        # -> refunded: a full refund that arrived before the payment's own event.
        OrderStatus.PENDING: frozenset(
            {OrderStatus.PAID, OrderStatus.FAILED, OrderStatus.EXPIRED, OrderStatus.REFUNDED}
        ),
        # A failed attempt (a declined card, a UPI request let lapse) leaves the checkout
        # open: the buyer may try again there, and the gateway's word that a later attempt
        # was paid still unlocks the report.
        OrderStatus.FAILED: frozenset(
            {OrderStatus.PAID, OrderStatus.EXPIRED, OrderStatus.REFUNDED}
        ),
        OrderStatus.PAID: frozenset({OrderStatus.REFUNDED}),
        OrderStatus.EXPIRED: frozenset(),
        OrderStatus.REFUNDED: frozenset(),
    },
)


def transition(
    session: Session,
    order: ReportOrder,
    target: OrderStatus,
    actor: Actor,
    note: str,
    **values: Any,
) -> bool:
    """Move an order to `target` with one conditional UPDATE from the state that allows
    it, and audit the move in the same transaction. False when another delivery (or
    another process) moved it first: the database, not Python, decides who wins.
    Only fulfilment (`_unlock`) ever asks for `paid`."""
    sources = [state for state in OrderStatus if LIFE.allows(state, target)]
    current = order.status
    if current not in sources:
        return False
    result = session.execute(
        update(ReportOrder)
        .where(ReportOrder.id == order.id, ReportOrder.status == current)
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    moved = cast(CursorResult[Any], result).rowcount == 1
    session.refresh(order)
    if moved:
        audit.record(
            session,
            actor,
            "order",
            order.id,
            "transition",
            from_state=current.value,
            to_state=target.value,
            note=note,
        )
    return moved


def start_order(
    session: Session,
    gateway: PaymentGateway,
    actor: Actor,
    business_id: int,
    *,
    price_paise: int,
    success_url: str,
    cancel_url: str,
    now: datetime | None = None,
) -> StartedOrder:
    """Create a pending order and its checkout at the gateway. `success_url` must carry
    `{CHECKOUT_SESSION_ID}`: the return page reads the session from it."""
    if actor.member_id is None or actor.user_id is None:
        raise NotAllowed("Only a member's users buy reports.")
    if SESSION_PLACEHOLDER not in success_url:
        raise ValueError("success_url needs the {CHECKOUT_SESSION_ID} placeholder")
    business = credit_report.survivor(session, business_id)
    if business is None:
        raise NotFound(f"No business {business_id}.")
    now = now or utcnow()
    order = ReportOrder(
        member_id=actor.member_id,
        user_id=actor.user_id,
        business_id=business.id,
        status=OrderStatus.PENDING,
        amount_paise=price_paise,
        currency="INR",
        created_at=now,
        expires_at=now + ORDER_LIFETIME,
    )
    session.add(order)
    session.flush()
    checkout = gateway.create_checkout(
        CheckoutRequest(
            order_id=order.id,
            amount_paise=order.amount_paise,
            currency=order.currency,
            description=f"Credit report: {business.name}",
            expires_at=now + ORDER_LIFETIME,
            idempotency_key=f"report-order-{order.id}-{int(now.timestamp() * 1e6)}",
            success_url=success_url,
            cancel_url=cancel_url,
        )
    )
    order.checkout_session_id = checkout.id
    session.flush()
    audit.record(
        session,
        actor,
        "order",
        order.id,
        "created",
        to_state="pending",
        note=f"report on business #{business.id}, {order.amount_paise} paise",
    )
    return StartedOrder(order, checkout.url)


def get_for_member(session: Session, order_id: int, member_id: int) -> ReportOrder | None:
    """The order if it is this member's; None otherwise (callers answer 404, not 403)."""
    order = session.get(ReportOrder, order_id)
    if order is None or order.member_id != member_id:
        return None
    return order


def list_for_member(session: Session, member_id: int) -> Sequence[ReportOrder]:
    return session.scalars(
        select(ReportOrder)
        .where(ReportOrder.member_id == member_id)
        .order_by(ReportOrder.id.desc())
    ).all()


def expire_overdue(session: Session, now: datetime | None = None) -> int:
    """Expire pending orders whose checkout closed more than `EXPIRY_GRACE` ago; returns
    how many. Orders awaiting a delayed payment have no expiry and are left alone."""
    now = now or utcnow()
    overdue = session.scalars(
        select(ReportOrder).where(
            ReportOrder.status.in_((OrderStatus.PENDING, OrderStatus.FAILED)),
            ReportOrder.expires_at < now - EXPIRY_GRACE,
        )
    ).all()
    return sum(
        transition(session, order, OrderStatus.EXPIRED, SYSTEM, "checkout closed unpaid")
        for order in overdue
    )
