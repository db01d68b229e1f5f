"""Idempotency keys: the same request sent twice (a retry, a double click) is done once
and answered the same both times.

`begin` is called in the request's transaction before it acts: it answers the stored
`Replay` of an earlier request with the key, refuses the key when it came with another
request (`Conflict("idempotency_conflict")`), or reserves the key and returns its row;
`finish` stores the answer in that row, committed with what the request did. Two
requests with one key at once meet on the unique constraint: the second waits for the
first to commit and then replays its answer. A request that fails (4xx) rolls its row
back with everything else, so the key can be used again. Keys last `LIFETIME`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.errors import Conflict, ValidationFailed
from registry.models import IdempotentRequest, utcnow

LIFETIME = timedelta(hours=24)
MAX_KEY = 255


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: str | None
    location: str | None


def fingerprint(payload: Any) -> str:
    """The request as compared: JSON with sorted keys, or raw bytes."""
    if isinstance(payload, bytes):
        data = payload
    else:
        data = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(data).hexdigest()


def check_key(key: str, field: str = "Idempotency-Key") -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ValidationFailed({field: f"give 1 to {MAX_KEY} printable characters"})
    return key


def _stored(session: Session, member_id: int, scope: str, key: str) -> IdempotentRequest | None:
    return session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.member_id == member_id,
            IdempotentRequest.scope == scope,
            IdempotentRequest.key == key,
        )
    )


def _answer(row: IdempotentRequest, request_hash: str) -> Replay:
    if row.request_hash != request_hash:
        raise Conflict(
            "idempotency_conflict",
            "This Idempotency-Key was used with a different request; use a new key.",
        )
    assert row.status_code is not None
    return Replay(row.status_code, row.body, row.location)


def begin(
    session: Session, member_id: int, scope: str, key: str, request_hash: str
) -> Replay | IdempotentRequest:
    """The earlier answer to replay, or this request's reserved row (see the module)."""
    row = _stored(session, member_id, scope, key)
    if row is not None and row.created_at < utcnow() - LIFETIME:
        session.execute(delete(IdempotentRequest).where(IdempotentRequest.id == row.id))
        row = None
    if row is not None and row.status_code is not None:
        return _answer(row, request_hash)
    try:
        with session.begin_nested():
            row = IdempotentRequest(
                member_id=member_id, scope=scope, key=key, request_hash=request_hash
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another request with this key committed meanwhile (we waited for it here).
        winner = _stored(session, member_id, scope, key)
        if winner is None or winner.status_code is None:
            raise
        return _answer(winner, request_hash)
    return row


def finish(
    session: Session,
    row: IdempotentRequest,
    status_code: int,
    body: str | None,
    location: str | None = None,
) -> None:
    row.status_code = status_code
    row.body = body
    row.location = location
    session.flush()


def purge(session: Session) -> int:
    """Forget keys older than `LIFETIME` (the worker's housekeeping)."""
    result = session.execute(
        delete(IdempotentRequest).where(IdempotentRequest.created_at < utcnow() - LIFETIME)
    )
    return int(getattr(result, "rowcount", 0) or 0)
