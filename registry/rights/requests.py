"""Requests for access, correction or erasure of personal data (DPDP Act 2023, sections
11 to 13): anyone may make one, with no account; admins answer each within 90 days, are
reminded when 30 days are left and again when it is overdue, and every answer is audited.

An access request is answered with a machine-readable export of what the registry holds
under the requester's email (`export_for`); erasure is done where no legal claim keeps
the data (a listed complaint is a claim the registry must be able to show; withdrawn and
removed complaints lose their personal data after a year anyway).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry import audit, language, outbox
from registry.actors import SYSTEM, Actor
from registry.errors import NotFound, ValidationFailed
from registry.identifiers import normalise_email
from registry.language import BOTH, N_, Said
from registry.models import (
    Complaint,
    Member,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    User,
    utcnow,
)
from registry.settings import PRODUCT_NAME
from registry.states import StateMachine

ANSWER_WITHIN = timedelta(days=90)
REMIND_WHEN_LEFT = timedelta(days=30)
MAX_DETAILS = 5000

R = PrivacyRequestStatus
LIFE = StateMachine[PrivacyRequestStatus](
    entity="privacy_request",
    moves={R.OPEN: frozenset({R.ANSWERED}), R.ANSWERED: frozenset()},
)


def transition(
    session: Session,
    request: PrivacyRequest,
    target: PrivacyRequestStatus,
    actor: Actor,
    note: str | None = None,
    *,
    action: str = "transition",
) -> None:
    """The one way a request changes state (checked, audited)."""
    LIFE.apply(session, request, target, actor, note, action=action)


def file(
    session: Session, kind: str, email: str, details: str, now: datetime | None = None
) -> PrivacyRequest:
    """Record a request, acknowledge it to the requester with its due date, and tell the
    admins. Raises `ValidationFailed` (nothing written) for a bad kind, email or details."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    try:
        chosen = PrivacyRequestKind(kind)
    except ValueError:
        errors["kind"] = N_("choose access, correction or erasure")
    try:
        address = normalise_email(email or "")
    except ValidationFailed as exc:
        errors["email"] = exc.fields.get("email", "not an email address")
    details = (details or "").strip()
    if not 10 <= len(details) <= MAX_DETAILS:
        errors["details"] = Said(
            N_("say what the request is about (10 to %(most)s characters)"), most=MAX_DETAILS
        )
    if errors:
        raise ValidationFailed(errors)
    request = PrivacyRequest(
        kind=chosen, email=address, details=details, received_at=now, due_at=now + ANSWER_WITHIN
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        SYSTEM,
        "privacy_request",
        request.id,
        "received",
        to_state="open",
        note=f"{chosen.value} request",
    )
    # Anyone may ask (a debtor as well as a member): the answer is in English and Hindi.
    outbox.queue_email(
        session,
        "privacy_request_received",
        address,
        " / ".join(
            language.translate(
                code,
                "%(product)s: your %(kind)s request #%(id)s",
                product=PRODUCT_NAME,
                kind=language.words(chosen.value, code),
                id=request.id,
            )
            for code in BOTH
        ),
        "\n\n---\n\n".join(
            language.translate(
                code,
                "We received your request for %(kind)s of your data (#%(id)s). The registry's "
                "grievance officer answers it by %(due)s at the latest.",
                kind=language.words(chosen.value, code),
                id=request.id,
                due=language.day(request.due_at, code),
            )
            for code in BOTH
        ),
    )
    outbox.email_admins(
        session,
        "privacy_request",
        lambda code: language.translate(
            code,
            "New %(kind)s request #%(id)s (answer by %(due)s)",
            kind=language.words(chosen.value, code),
            id=request.id,
            due=language.day(request.due_at, code),
        ),
        lambda code: (
            language.translate(code, "From %(address)s:", address=address) + f"\n\n{details}"
        ),
    )
    return request


def queue_query(status: PrivacyRequestStatus = R.OPEN) -> Select[PrivacyRequest]:
    """Requests in a status, the one due first first."""
    return (
        select(PrivacyRequest)
        .where(PrivacyRequest.status == status)
        .order_by(PrivacyRequest.due_at, PrivacyRequest.id)
    )


def queue(session: Session, status: PrivacyRequestStatus = R.OPEN) -> Sequence[PrivacyRequest]:
    return session.scalars(queue_query(status)).all()


def days_left(request: PrivacyRequest, now: datetime | None = None) -> int:
    return (request.due_at - (now or utcnow())).days


def answer(
    session: Session, request_id: int, text: str, actor: Actor, now: datetime | None = None
) -> PrivacyRequest:
    """An admin answers a request; the requester gets the answer by email (an access
    request's answer carries the export of what is held), and the answer is audited."""
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        raise NotFound(f"No privacy request {request_id}.")
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationFailed({"answer": N_("write the answer (at least 10 characters)")})
    transition(session, request, R.ANSWERED, actor, text[:500], action="answered")
    request.answered_at = now or utcnow()
    request.answered_by_user_id = actor.user_id
    request.answer = text
    body = text
    if request.kind is PrivacyRequestKind.ACCESS:
        heading = " / ".join(
            language.translate(code, "What the registry holds under your email address (JSON):")
            for code in BOTH
        )
        body += f"\n\n{heading}\n\n"
        body += json.dumps(export_for(session, request.email), indent=2, ensure_ascii=False)
    outbox.queue_email(
        session,
        "privacy_request_answered",
        request.email,
        " / ".join(
            language.translate(
                code,
                "%(product)s: the answer to your %(kind)s request #%(id)s",
                product=PRODUCT_NAME,
                kind=language.words(request.kind.value, code),
                id=request.id,
            )
            for code in BOTH
        ),
        body,
    )
    session.flush()
    return request


def export_for(session: Session, email: str) -> dict[str, Any]:
    """Everything the registry holds under an email address, machine-readable: user
    accounts, the members they belong to, and complaints that name the address as the
    debtor's contact."""
    address = email.lower()
    users = session.scalars(select(User).where(User.email == address)).all()
    members = {
        u.member_id: session.get(Member, u.member_id) for u in users if u.member_id is not None
    }
    complaints = session.scalars(select(Complaint).where(Complaint.debtor_email == address)).all()
    return {
        "email": address,
        "accounts": [
            {"user_id": u.id, "role": u.role.value, "created_at": u.created_at.isoformat()}
            for u in users
        ],
        "members": [
            {"member_id": m.id, "name": m.name, "gstin": m.gstin, "contact_email": m.contact_email}
            for m in members.values()
            if m is not None
        ],
        "complaints_naming_this_address": [
            {
                "complaint_id": c.id,
                "business_id": c.business_id,
                "status": c.status.value,
                "amount_outstanding_paise": c.amount_outstanding_paise,
                "filed_at": c.created_at.isoformat(),
            }
            for c in complaints
        ],
    }


def escalate(session: Session, now: datetime | None = None) -> int:
    """The worker's round: email the admins once when 30 days are left to answer a
    request, and once when it is overdue; returns how many emails went out."""
    now = now or utcnow()
    sent = 0
    for request in queue(session):
        if request.due_at <= now and request.overdue_notified_at is None:
            request.overdue_notified_at = now
            sent += outbox.email_admins(
                session,
                "privacy_request_overdue",
                Said(N_("Privacy request #%(id)s is overdue"), id=request.id),
                Said(
                    N_(
                        "The %(kind)s request from %(email)s was due on %(due)s: the law gives "
                        "90 days."
                    ),
                    kind=request.kind,
                    email=request.email,
                    due=request.due_at,
                ),
            )
        elif request.due_at - now <= REMIND_WHEN_LEFT and request.reminded_at is None:
            request.reminded_at = now
            sent += outbox.email_admins(
                session,
                "privacy_request_reminder",
                Said(
                    N_("Privacy request #%(id)s: %(days)s days left"),
                    id=request.id,
                    days=days_left(request, now),
                ),
                Said(
                    N_("The %(kind)s request from %(email)s is due on %(due)s."),
                    kind=request.kind,
                    email=request.email,
                    due=request.due_at,
                ),
            )
    session.flush()
    return sent
