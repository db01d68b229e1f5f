"""Filing a complaint as the life-cycle machine does: the request a member sends, what the
model expects of it (refused for an invoice number given twice or one the member reported
already against that business; else filed on the business the model names, or on a new
one), and the model's record of the complaint filed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from registry.actors import Actor
from registry.complaints import filing
from registry.complaints.notices import links
from registry.directory import debtors
from registry.errors import Conflict, RegistryError, ValidationFailed
from registry.models import Complaint
from tests.conftest import PDF
from tests.registry.life_cycle_model import AMOUNTS, Biz, C, Claim, ModelReading


class Filings(ModelReading):
    """Files through `filing.file_complaint` and keeps the model in step."""

    settings: Any
    members: list[Actor]
    refused: Callable[..., RegistryError]  # `WhatUsersSee.refused`

    def record_filing(
        self, actor_index: int, complaint: Complaint, keys: frozenset[str], token: str
    ) -> int:
        assert complaint.status is C.IN_NOTICE
        assert complaint.notice_ends_at is not None and complaint.notice_sent_at is not None
        assert complaint.notice_ends_at - complaint.notice_sent_at == timedelta(
            days=self.settings.notice_period_days
        )
        self.claims[complaint.id] = Claim(
            id=complaint.id,
            member=actor_index,
            business=complaint.business_id,
            amount_paise=sum(i.amount_paise for i in complaint.invoices),
            outstanding_paise=complaint.amount_outstanding_paise,
            keys=keys,
            notice_ends_at=complaint.notice_ends_at,
            token=token,
            link_expires_at=complaint.notice_sent_at + links.LINK_LIFETIME,
        )
        return complaint.id

    def reported_already(self, member: int, keys: frozenset[str]) -> bool:
        return any(c.member == member and c.keys & keys for c in self.claims.values())

    @staticmethod
    def keys(request: filing.FilingIn) -> frozenset[str]:
        """The filing's invoices as compared: financial year and number key."""
        return frozenset(f"{year} {key}" for year, key in filing.invoice_keys(request.invoices))

    def request(self, debtor: debtors.DebtorIn, numbers: list[str], amount: int) -> filing.FilingIn:
        today = self.now.date()
        billed, paid = AMOUNTS[amount]
        invoices = [
            filing.InvoiceIn(
                number, today - timedelta(days=90 + 7 * i), today - timedelta(days=60), billed, paid
            )
            for i, number in enumerate(numbers)
        ]
        return filing.FilingIn(
            debtor=debtor, invoices=invoices, evidence=[filing.EvidenceIn("invoice.pdf", PDF)]
        )

    def file(
        self,
        member: int,
        debtor: debtors.DebtorIn,
        numbers: list[str],
        amount: int,
        expected_business: int | None,
    ) -> int | None:
        """File; `expected_business` is where the model says it lands (None: new)."""
        request = self.request(debtor, numbers, amount)
        keys = self.keys(request)
        actor = self.members[member]
        today = self.now.date()
        if len(keys) < len(numbers):
            self.refused(
                lambda: filing.file_complaint(self.db, self.settings, actor, request, today),
                ValidationFailed,
            )
            return None
        # An invoice number is the member's once per financial year, whichever debtor it
        # names: checked before the debtor is resolved.
        if self.reported_already(member, keys):
            error = self.refused(
                lambda: filing.file_complaint(self.db, self.settings, actor, request, today),
                Conflict,
            )
            assert isinstance(error, Conflict) and error.code == "duplicate_invoice"
            return None
        filed = filing.file_complaint(self.db, self.settings, actor, request, today)
        complaint = filed.complaint
        if expected_business is None:
            assert complaint.business_id not in self.biz, "a new debtor landed on a known one"
            self.biz[complaint.business_id] = Biz(complaint.business_id, complaint.business.pan)
        else:
            assert complaint.business_id == expected_business
        return self.record_filing(member, complaint, keys, filed.notice_token)
