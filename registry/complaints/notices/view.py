"""The complaint as its debtor sees it through the notice link (reporter named)."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.complaints.msmed import msmed_interest
from registry.models import Complaint
from registry.settings import Settings


def for_debtor(
    settings: Settings, complaint: Complaint, today: date | None = None
) -> dict[str, Any]:
    business = complaint.business
    member = complaint.member
    interest = msmed_interest(settings, complaint, today or date.today())
    return {
        "complaint_id": complaint.id,
        "status": complaint.status.value,
        "business": {
            "business_id": business.id,
            "name": business.name,
            "city": business.city,
            "state": business.state,
            "gstins": [g.gstin for g in business.gstins],
        },
        "reported_by": {"name": member.name, "gstin": member.gstin, "industry": member.industry},
        "invoices": complaint.invoices,
        "amount_outstanding_paise": complaint.amount_outstanding_paise,
        "notice_ends_at": complaint.notice_ends_at,
        "promised_payment_date": complaint.promised_payment_date,
        "msmed_interest": [vars(i) for i in interest] if interest is not None else None,
        "evidence": complaint.evidence,
        "disputes": complaint.disputes,
    }
