"""Fulfilment: what the gateway says happened to report orders.

An order becomes paid in one place only, `_unlock()`, and only because the gateway said
so: a signed webhook event (re-read from the gateway when we hold a real key), a session
re-read from the gateway when the payer comes back, or an event listed by the gateway
itself (`registry gateway-events --replay`). There is no other way: no admin "mark as
paid", no trusting the browser's return URL, no manual payment path.

Fulfilment is idempotent. Every event is stored by its id and handled once; the move
pending -> paid is one conditional UPDATE (`... WHERE status = 'pending'`), so duplicate,
retried, late, out-of-order and concurrent deliveries unlock once, write one ledger entry
and one audit row. Every change of an order's state goes through `transition()`.

A full refund wins whichever event arrives first: a pending order goes straight to
refunded, and a later paid event is stored but unlocks nothing, even when the gateway,
re-read, still calls the refunded intent `succeeded` (`record_refund()`).
The payer's return and the admin's refund are here too: both act on what the gateway
says. (The order's life, starting and listing orders: `registry.payments.orders`.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry import audit, faults
from registry.actors import GATEWAY, Actor
from registry.errors import Conflict, InvalidTransition, NotFound
from registry.models import (
    GatewayEvent,
    LedgerKind,
    OrderStatus,
    PaymentLedger,
    ReportOrder,
    TaxDocumentKind,
    utcnow,
)
from registry.payments import tax_invoices
from registry.payments.gateways import PaymentGateway
from registry.payments.orders import transition
from registry.reports import credit_report, inquiries, versions

#: The GST document each money record comes with.
TAX_DOCUMENT = {
    LedgerKind.CHARGE: TaxDocumentKind.INVOICE,
    LedgerKind.REFUND: TaxDocumentKind.CREDIT_NOTE,
}


@dataclass(frozen=True)
class Outcome:
    """What handling an event did, as stored on the event row."""

    text: str
    order_id: int | None = None


# -- gateway events --------------------------------------------------------------------


def accept_event(
    session: Session,
    gateway: PaymentGateway,
    event: Mapping[str, Any],
    raw: str,
    now: datetime | None = None,
) -> Outcome:
    """Store an authentic gateway event by its id and handle it, once. A redelivery finds
    the row already there (the database decides, also between concurrent deliveries)."""
    now = now or utcnow()
    row = GatewayEvent(
        id=str(event["id"]), type=str(event.get("type", "")), payload=raw, received_at=now
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return Outcome("duplicate: already received")
    outcome = handle_event(session, gateway, event)
    row.processed_at = utcnow()
    row.outcome = outcome.text[:100]
    row.order_id = outcome.order_id
    session.flush()
    return outcome


def handle_event(session: Session, gateway: PaymentGateway, event: Mapping[str, Any]) -> Outcome:
    """What an event means for our orders (API.md, "Gateway webhook")."""
    obj: Mapping[str, Any] = (event.get("data") or {}).get("object") or {}
    source = f"gateway event {event.get('id')} ({event.get('type')})"
    match event.get("type"):
        case "checkout.session.completed" | "checkout.session.async_payment_succeeded":
            return fulfil(
                session,
                gateway,
                obj,
                trusted=not gateway.keyed,
                source=source,
                event_id=str(event["id"]),
            )
        case "payment_intent.succeeded":
            return fulfil_intent(
                session,
                gateway,
                obj,
                trusted=not gateway.keyed,
                source=source,
                event_id=str(event["id"]),
            )
        case "checkout.session.expired" | "checkout.session.async_payment_failed":
            return _checkout_failed(session, obj, source)
        case "charge.refunded":
            return _charge_refunded(session, obj, source, str(event["id"]))
        # Razorpay (registry.payments.razorpay_gateway.event_of gives its events this shape).
        case "payment.captured" | "order.paid":
            checkout_id = (
                obj.get("order_id") if event["type"] == "payment.captured" else obj.get("id")
            )
            return _razorpay_paid(
                session, gateway, str(checkout_id or ""), source, str(event["id"])
            )
        case "payment.failed":
            return _payment_failed(session, obj, source)
        case "refund.processed":
            return _refund_processed(session, gateway, obj, source, str(event["id"]))
        case _:
            return Outcome("ignored")


def replay_events(
    session: Session, gateway: PaymentGateway, since: datetime, *, replay: bool
) -> list[dict[str, Any]]:
    """The gateway's own list of recent events; with `replay`, those we never received
    go through the same handler as a webhook."""
    listed = []
    for event in gateway.list_events(since):
        known = session.get(GatewayEvent, str(event["id"])) is not None
        row: dict[str, Any] = {"id": event["id"], "type": event.get("type"), "received": known}
        if replay and not known:
            row["outcome"] = accept_event(session, gateway, event, json.dumps(event)).text
        listed.append(row)
    return listed


def fulfil(
    session: Session,
    gateway: PaymentGateway,
    checkout: Mapping[str, Any],
    *,
    trusted: bool,
    source: str,
    event_id: str | None = None,
) -> Outcome:
    """Unlock the order a Checkout Session paid for. The order is the one holding this
    session id *and* named by its `client_reference_id`. Unless `trusted` (it was just
    read from the gateway), the session is read again from the gateway first."""
    order = _order_for_checkout(session, checkout)
    if order is None:
        return Outcome("no order for this checkout session")
    if not trusted:
        checkout = gateway.retrieve_checkout(str(checkout["id"]))
        if _order_for_checkout(session, checkout) is not order:
            return Outcome("gateway's session names another order", order.id)
    return _unlock_if_paid(session, order, _checkout_payment(checkout), source, event_id)


def fulfil_intent(
    session: Session,
    gateway: PaymentGateway,
    intent: Mapping[str, Any],
    *,
    trusted: bool,
    source: str,
    event_id: str | None = None,
) -> Outcome:
    """Unlock the order a PaymentIntent paid for (its `metadata.order_id`, set through
    the checkout's `payment_intent_data`)."""
    order = _order_for_intent(session, intent)
    if order is None:
        return Outcome("no order for this payment intent")
    if not trusted:
        intent = gateway.retrieve_intent(str(intent["id"]))
        if _order_for_intent(session, intent) is not order:
            return Outcome("gateway's intent names another order", order.id)
    return _unlock_if_paid(session, order, _intent_payment(intent), source, event_id)


@dataclass(frozen=True)
class _Payment:
    """What the gateway's record (a checkout session or a payment intent) says of a payment."""

    paid: bool
    amount: Any
    currency: Any
    payment_id: str | None
    #: The checkout is complete but its money is still on its way (a bank transfer).
    awaiting: bool = False
    #: The record is one payment: an order paid by another one is not paid by it.
    is_the_payment: bool = False


def _checkout_payment(checkout: Mapping[str, Any]) -> _Payment:
    return _Payment(
        paid=checkout.get("payment_status") == "paid",
        amount=checkout.get("amount_total"),
        currency=checkout.get("currency"),
        payment_id=_reference(checkout.get("payment_intent")),
        awaiting=checkout.get("status") == "complete",
    )


def _intent_payment(intent: Mapping[str, Any]) -> _Payment:
    return _Payment(
        paid=intent.get("status") == "succeeded",
        amount=intent.get("amount_received", intent.get("amount")),
        currency=intent.get("currency"),
        payment_id=str(intent["id"]),
        is_the_payment=True,
    )


def _unlock_if_paid(
    session: Session, order: ReportOrder, payment: _Payment, source: str, event_id: str | None
) -> Outcome:
    """The one verify-then-unlock path: paid, by this payment, of the order's amount and
    currency; then `_unlock`."""
    if not payment.paid:
        if payment.awaiting:
            _awaiting_payment(session, order, source)
        return Outcome("not paid yet", order.id)
    if payment.is_the_payment and order.payment_intent_id not in (None, payment.payment_id):
        return Outcome("order was paid by another payment", order.id)
    problem = _mismatch(order, payment.amount, payment.currency)
    if problem:
        return Outcome(problem, order.id)
    return _unlock(session, order, payment.payment_id, source, event_id)


# -- internals -------------------------------------------------------------------------


def _order_by_checkout_id(session: Session, checkout_id: str) -> ReportOrder | None:
    if not checkout_id:
        return None
    return session.scalar(select(ReportOrder).where(ReportOrder.checkout_session_id == checkout_id))


def _razorpay_paid(
    session: Session, gateway: PaymentGateway, checkout_id: str, source: str, event_id: str
) -> Outcome:
    """Razorpay says an order (or a payment of it) was paid: read that order again from
    Razorpay and fulfil from what it says now, never from the event."""
    if _order_by_checkout_id(session, checkout_id) is None:
        return Outcome("no order for this gateway order")
    checkout = gateway.retrieve_checkout(checkout_id)
    return fulfil(session, gateway, checkout, trusted=True, source=source, event_id=event_id)


def _payment_failed(session: Session, payment: Mapping[str, Any], source: str) -> Outcome:
    """A declined attempt: the order reads "failed" (the buyer may try again; a later
    paid attempt still unlocks it)."""
    order = _order_by_checkout_id(session, str(payment.get("order_id") or ""))
    if order is None:
        return Outcome("no order for this gateway order")
    if order.status is not OrderStatus.PENDING:
        return Outcome(f"order already {order.status.value}", order.id)
    reason = str(payment.get("error_description") or "the payment was declined")[:200]
    transition(session, order, OrderStatus.FAILED, GATEWAY, f"{source}: {reason}")
    return Outcome("failed", order.id)


def _refund_processed(
    session: Session, gateway: PaymentGateway, refund: Mapping[str, Any], source: str, event_id: str
) -> Outcome:
    """Razorpay refunded a payment: a full refund locks its order's report again."""
    payment_id = str(refund.get("payment_id") or "")
    order = session.scalar(select(ReportOrder).where(ReportOrder.payment_intent_id == payment_id))
    if order is None and payment_id:
        # The refund overtook the payment's own event: the payment names its order.
        payment = gateway.retrieve_intent(payment_id)
        order = _order_by_checkout_id(session, str(payment.get("order_id") or ""))
    if order is None:
        return Outcome("no order for this refund")
    if refund.get("amount") != order.amount_paise:
        return Outcome("partial refund: the report stays open", order.id)
    done = record_refund(
        session,
        order,
        GATEWAY,
        str(refund.get("id")),
        source,
        event_id,
        None,
        intent_id=payment_id,
    )
    return Outcome("refunded" if done else f"order already {order.status.value}", order.id)


def _order_for_checkout(session: Session, checkout: Mapping[str, Any]) -> ReportOrder | None:
    session_id = checkout.get("id")
    if not session_id:
        return None
    order = session.scalar(
        select(ReportOrder).where(ReportOrder.checkout_session_id == str(session_id))
    )
    if order is None or str(checkout.get("client_reference_id")) != str(order.id):
        return None
    return order


def _order_for_intent(session: Session, intent: Mapping[str, Any]) -> ReportOrder | None:
    order_id = str((intent.get("metadata") or {}).get("order_id") or "")
    if not order_id.isdigit():
        return None
    return session.get(ReportOrder, int(order_id))


def _mismatch(order: ReportOrder, amount: Any, currency: Any) -> str | None:
    if amount != order.amount_paise:
        return f"amount {amount} does not match the order's {order.amount_paise}"
    if str(currency or "").upper() != order.currency:
        return f"currency {currency} does not match the order's {order.currency}"
    return None


def _unlock(
    session: Session, order: ReportOrder, intent_id: str | None, source: str, event_id: str | None
) -> Outcome:
    now = utcnow()
    values: dict[str, Any] = {"paid_at": now}
    if intent_id and order.payment_intent_id is None:
        _refuse_reused_intent(session, order, intent_id)
        values["payment_intent_id"] = intent_id
    if not transition(session, order, OrderStatus.PAID, GATEWAY, source, **values):
        return Outcome(f"order already {order.status.value}", order.id)
    _ledger(session, order, LedgerKind.CHARGE, intent_id, event_id, source, now)
    snapshot = credit_report.store_snapshot(session, order, now)
    versions.add_version(session, order, json.loads(snapshot.content), now)
    inquiries.record_pull(session, order.member_id, order.business_id, "unlock", now, order.id)
    faults.pause("payment-unlocked")
    return Outcome("paid", order.id)


def _refuse_reused_intent(session: Session, order: ReportOrder, intent_id: str) -> None:
    """One payment pays one order: an event naming a payment already recorded on another
    order (a forged or replayed payload with a real signature) unlocks nothing."""
    other = session.scalar(
        select(ReportOrder.id).where(
            ReportOrder.payment_intent_id == intent_id, ReportOrder.id != order.id
        )
    )
    if other is not None:
        raise Conflict(
            "payment_reused",
            f"Payment {intent_id} already paid another order; order {order.id} stays unpaid.",
        )


def _ledger(
    session: Session,
    order: ReportOrder,
    kind: LedgerKind,
    reference: str | None,
    event_id: str | None,
    source: str,
    now: datetime,
) -> None:
    """The money record of a charge or refund (one per order and kind, by constraint),
    with its GST document: a tax invoice for the charge, a credit note for the refund."""
    session.add(
        PaymentLedger(
            order_id=order.id,
            kind=kind,
            amount_paise=order.amount_paise,
            currency=order.currency,
            gateway_reference=reference,
            event_id=event_id,
            source=source[:100],
            created_at=now,
        )
    )
    session.flush()
    document = TAX_DOCUMENT[kind]
    tax_invoices.issue(session, order, document, now)


def _awaiting_payment(session: Session, order: ReportOrder, source: str) -> None:
    """A completed checkout whose payment is still on its way (e.g. a bank transfer) must
    not be expired by the clock: only the gateway's success or failure decides it."""
    if order.status is OrderStatus.PENDING and order.expires_at is not None:
        order.expires_at = None
        session.flush()
        audit.record(session, GATEWAY, "order", order.id, "awaiting_payment", note=source)


def _checkout_failed(session: Session, checkout: Mapping[str, Any], source: str) -> Outcome:
    order = _order_for_checkout(session, checkout)
    if order is None:
        return Outcome("no order for this checkout session")
    if transition(session, order, OrderStatus.EXPIRED, GATEWAY, source):
        return Outcome("expired", order.id)
    return Outcome(f"order already {order.status.value}", order.id)


def _charge_refunded(
    session: Session, charge: Mapping[str, Any], source: str, event_id: str
) -> Outcome:
    intent_id = _reference(charge.get("payment_intent"))
    order = _order_for_charge(session, charge, intent_id)
    if order is None:
        return Outcome("no order for this charge")
    if order.payment_intent_id not in (None, intent_id):
        return Outcome("refund of another payment", order.id)
    if not charge.get("refunded"):
        return Outcome("partial refund: report stays unlocked", order.id)
    if order.status is OrderStatus.PENDING:
        problem = _mismatch(order, charge.get("amount"), charge.get("currency"))
        if problem:
            return Outcome(problem, order.id)
    refunds = (charge.get("refunds") or {}).get("data") or []
    reference = str(refunds[0]["id"]) if refunds else str(charge.get("id"))
    if record_refund(
        session, order, GATEWAY, reference, source, event_id, None, intent_id=intent_id
    ):
        return Outcome("refunded", order.id)
    return Outcome(f"order already {order.status.value}", order.id)


def _reference(value: Any) -> str | None:
    """An object's id, whether the gateway sent the id or the expanded object."""
    found = value.get("id") if isinstance(value, Mapping) else value
    return str(found) if found else None


def _order_for_charge(
    session: Session, charge: Mapping[str, Any], intent_id: str | None
) -> ReportOrder | None:
    """The order a charge paid: the one holding its PaymentIntent or, while that intent's
    own event has not arrived, the one its `metadata.order_id` names (the gateway copies
    the intent's metadata onto the charge). A charge no intent made is none of ours."""
    if intent_id is None:
        return None
    order = session.scalar(select(ReportOrder).where(ReportOrder.payment_intent_id == intent_id))
    return order or _order_for_intent(session, charge)


def record_refund(
    session: Session,
    order: ReportOrder,
    actor: Actor,
    reference: str,
    note: str,
    event_id: str | None,
    now: datetime | None,
    *,
    intent_id: str | None = None,
) -> bool:
    """Lock an order's report again because its payment was refunded in full. A paid order
    gets the refund in the ledger. A pending one (the gateway's refund overtook the payment's
    own event; `intent_id` is that payment) goes straight to refunded with the charge and
    the refund, so the books read the same whichever event came first. False when the order
    is refunded or expired already."""
    now = now or utcnow()
    if order.status is OrderStatus.PENDING and intent_id is not None:
        _refuse_reused_intent(session, order, intent_id)
        values = {"refunded_at": now, "payment_intent_id": intent_id}
        if transition(session, order, OrderStatus.REFUNDED, actor, note, **values):
            _ledger(session, order, LedgerKind.CHARGE, intent_id, event_id, note, now)
            _ledger(session, order, LedgerKind.REFUND, reference, event_id, note, now)
            return True
        # Lost to a paid event committed meanwhile: `transition` re-read the order.
    if order.status is not OrderStatus.PAID:
        return False
    if not transition(session, order, OrderStatus.REFUNDED, actor, note, refunded_at=now):
        return False
    _ledger(session, order, LedgerKind.REFUND, reference, event_id, note, now)
    return True


def order_for_return(
    session: Session, gateway: PaymentGateway, member_id: int, session_id: str
) -> ReportOrder:
    """The payer came back from the checkout page. The address proves nothing: re-read the
    session from the gateway, and unlock only if the gateway says it is paid."""
    order = session.scalar(
        select(ReportOrder).where(
            ReportOrder.checkout_session_id == session_id, ReportOrder.member_id == member_id
        )
    )
    if order is None:
        raise NotFound("No such order of yours.")
    if order.status is OrderStatus.PENDING:
        checkout = gateway.retrieve_checkout(session_id)
        fulfil(session, gateway, checkout, trusted=True, source="gateway session re-read on return")
        session.refresh(order)
    return order


def refund(
    session: Session,
    gateway: PaymentGateway,
    order_id: int,
    actor: Actor,
    now: datetime | None = None,
) -> ReportOrder:
    """Refund a paid order through the gateway and lock its report again."""
    order = session.get(ReportOrder, order_id)
    if order is None:
        raise NotFound(f"No order {order_id}.")
    if order.status is not OrderStatus.PAID or order.payment_intent_id is None:
        raise InvalidTransition("order", order.status.value, OrderStatus.REFUNDED.value)
    key = f"refund-order-{order.id}-{int(order.created_at.timestamp() * 1e6)}"
    refund_id = gateway.refund(order.payment_intent_id, key)
    record_refund(
        session, order, actor, refund_id, f"refunded through the gateway ({refund_id})", None, now
    )
    return order
