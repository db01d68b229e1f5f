"""Fresh reports: each generation of a paid report is a version with a fingerprint of what
it says (the identity and the complaints shown, not the day it was read) and a
verification code printed on its PDF.

When the registry's report on the business would now say something else (a complaint
settled, removed, corrected or newly listed), the buyer's report is *superseded*: the
reader is told, and may open the current version free while the order is readable (30
days from payment). Anyone holding a code can check it (`verify`): valid or not, the
business's name, the version's date and whether it is superseded; nothing else."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.models import ReportOrder, ReportSnapshot, ReportVersion
from registry.reports.credit_report import (
    ComplaintLine,
    CreditReport,
    Identity,
    build_report,
    is_readable,
    said,
    survivor,
)

#: Codes are 16 characters of Crockford-like base32 (80 bits): guessing one is hopeless.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
_NOT_CODE = re.compile(r"[\s-]+")


def fingerprint(report: CreditReport) -> str:
    """What a report says, stripped of what changes by the calendar alone (its date, the
    days past due and the score that ages with them)."""
    return _fingerprint(report["business"], report["complaints"])


def current_fingerprint(session: Session, business_id: int, now: datetime) -> str:
    """`fingerprint` of the report `build_report` would make now, from what it says alone
    (`credit_report.said`): not scored, no reporters' industries, no history. Telling
    whether a paid report is superseded is part of every read of it."""
    found = said(session, business_id, now)
    return _fingerprint(found.identity, found.rows(now.date()))


def _fingerprint(business: Identity, complaints: list[ComplaintLine]) -> str:
    content: dict[str, Any] = {
        "business": [business["name"], business["aliases"], business["gstins"], business["pan"]],
        "complaints": [
            [
                row["status"],
                row["reported_on"],
                row["settled_on"],
                row["amount_paise"],
                row["outstanding_paise"],
                [[i["invoice_date"], i["amount_paise"], i["paid_paise"]] for i in row["invoices"]],
            ]
            for row in complaints
        ],
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """As printed: KR-ABCD-EFGH-JKLM-NPQR."""
    return "KR-" + "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normal_code(text: str) -> str | None:
    """A typed code in its stored form, or None when it cannot be one."""
    code = _NOT_CODE.sub("", text or "").upper()
    if code.startswith("KR"):
        code = code[2:]
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def add_version(
    session: Session, order: ReportOrder, report: CreditReport, now: datetime
) -> ReportVersion:
    number = session.scalar(
        select(func.coalesce(func.max(ReportVersion.version), 0)).where(
            ReportVersion.order_id == order.id
        )
    )
    version = ReportVersion(
        order_id=order.id,
        business_id=order.business_id,
        version=int(number or 0) + 1,
        fingerprint=fingerprint(report),
        code=new_code(),
        generated_at=now,
    )
    session.add(version)
    session.flush()
    return version


def latest_version(
    session: Session, order: ReportOrder, report: CreditReport, generated_at: datetime
) -> ReportVersion:
    """The order's newest version; a report sold before versions existed gets its first."""
    found = session.scalar(
        select(ReportVersion)
        .where(ReportVersion.order_id == order.id)
        .order_by(ReportVersion.version.desc())
        .limit(1)
    )
    return found or add_version(session, order, report, generated_at)


@dataclass(frozen=True)
class Freshness:
    version: ReportVersion
    superseded: bool


def freshness(
    session: Session, order: ReportOrder, report: CreditReport, now: datetime
) -> Freshness:
    """The order's current version and whether the registry's report now says otherwise."""
    snapshot = session.scalar(select(ReportSnapshot).where(ReportSnapshot.order_id == order.id))
    generated = snapshot.generated_at if snapshot is not None else now
    version = latest_version(session, order, report, generated)
    current = current_fingerprint(session, order.business_id, now)
    return Freshness(version, current != version.fingerprint)


def open_current(session: Session, order: ReportOrder, now: datetime) -> CreditReport | None:
    """Bring a readable order's report up to date, free: a new version with its own code
    when what the report says has changed; the same report otherwise. None when the
    order is not readable (unpaid, refunded, or past its 30 days)."""
    if not is_readable(order, now):
        return None
    snapshot = session.scalar(select(ReportSnapshot).where(ReportSnapshot.order_id == order.id))
    if snapshot is None:
        return None
    stored: CreditReport = json.loads(snapshot.content)
    version = latest_version(session, order, stored, snapshot.generated_at)
    if current_fingerprint(session, order.business_id, now) == version.fingerprint:
        return stored
    report = build_report(session, order.business_id, now)
    added = add_version(session, order, report, now)
    snapshot.content = json.dumps(report, ensure_ascii=False)
    snapshot.generated_at = now
    snapshot.version = added.version
    session.flush()
    return report


@dataclass(frozen=True)
class Verified:
    business_name: str
    generated_at: datetime
    version: int
    superseded: bool


def verify(session: Session, text: str, now: datetime) -> Verified | None:
    """What a verification code vouches for; None for anything that is not a code issued
    here (the same answer whether it is malformed or merely unknown)."""
    code = normal_code(text)
    if code is None:
        return None
    version = session.scalar(select(ReportVersion).where(ReportVersion.code == code))
    if version is None:
        return None
    business = survivor(session, version.business_id)
    if business is None:
        return None
    newer = session.scalar(
        select(ReportVersion.id)
        .where(ReportVersion.order_id == version.order_id, ReportVersion.version > version.version)
        .limit(1)
    )
    changed = current_fingerprint(session, version.business_id, now) != version.fingerprint
    return Verified(business.name, version.generated_at, version.version, bool(newer) or changed)
