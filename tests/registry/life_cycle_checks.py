"""What users see, checked against the life-cycle machine's model after every step:
statuses and their audit trail, notice links, the dispute queue, free search results, the
paid report, members' dashboards and watchlist alerts (`WhatUsersSee`, the machine's
invariants). And the check every refused step passes: it raises its domain error and
changes nothing (`refused`).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import pytest
from hypothesis.stateful import invariant
from sqlalchemy import func, select

from registry.actors import Actor
from registry.complaints import disputes
from registry.complaints.notices import links
from registry.directory import search
from registry.errors import RegistryError
from registry.members import dashboard
from registry.models import (
    AuditEntry,
    Business,
    BusinessAlias,
    BusinessGstin,
    BusinessMerge,
    Complaint,
    Dispute,
    Invoice,
    Member,
    Notification,
    OutboxMessage,
    Watch,
)
from registry.reports import credit_report
from tests.registry.life_cycle_model import (
    CLOSED,
    GSTINS,
    NAMES,
    OPEN_STATES,
    C,
    D,
    DisputeM,
    ModelReading,
    seen,
)


class WhatUsersSee(ModelReading):
    """The machine's invariants, and the snapshot a refused step must leave as it was."""

    members: list[Actor]
    disputes: dict[int, DisputeM]
    audit_counts: Counter[str]  # merges, watches

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a refused step must leave as it was."""
        db = self.db

        def rows(*columns: Any) -> list[Any]:
            return [tuple(r) for r in db.execute(select(*columns).order_by(columns[0])).all()]

        counts = tuple(
            db.scalar(select(func.count()).select_from(model))
            for model in (AuditEntry, OutboxMessage, Notification, Invoice, BusinessAlias)
        )
        return (
            counts,
            rows(
                Complaint.id,
                Complaint.status,
                Complaint.business_id,
                Complaint.promised_payment_date,
                Complaint.listed_at,
                Complaint.closed_at,
            ),
            rows(Dispute.id, Dispute.status, Dispute.decision_note, Dispute.decided_at),
            rows(Business.id, Business.merged_into_id, Business.pan, Business.email),
            rows(BusinessGstin.id, BusinessGstin.business_id),
            rows(Watch.id, Watch.member_id, Watch.business_id),
            rows(BusinessMerge.id, BusinessMerge.undone_at),
        )

    def refused(self, call: Any, *errors: type[RegistryError]) -> RegistryError:
        before = self.snapshot()
        with pytest.raises(errors) as caught:
            call()
        seen(f"refused: {type(caught.value).__name__}")
        assert self.snapshot() == before, f"{caught.value!r} left a change behind"
        return caught.value

    @invariant()
    def statuses_dates_and_audit_trail(self) -> None:
        rows = {c.id: c for c in self.db.scalars(select(Complaint))}
        assert set(rows) == set(self.claims)
        entries = self.db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "complaint")
            .order_by(AuditEntry.at, AuditEntry.id)
        ).all()
        for claim in self.claims.values():
            row = rows[claim.id]
            assert row.status is claim.status
            assert row.business_id == claim.business
            assert {i.business_id for i in row.invoices} == {claim.business}
            assert (row.listed_at is not None) is claim.listed_ever
            assert (row.closed_at is not None) is (claim.status in CLOSED)
            mine = [e for e in entries if e.entity_id == str(claim.id)]
            moves = [e for e in mine if e.action in ("filed", "transition")]
            assert [e.to_state for e in moves] == [s.value for s in claim.history]
            assert [e.from_state for e in moves[1:]] == [s.value for s in claim.history[:-1]]
            assert sum(1 for e in mine if e.action == "promised_payment") == claim.promises
        for model in self.disputes.values():
            trail = [
                (e.action, e.to_state, e.actor_user_id if e.action == "closed" else None)
                for e in self.db.scalars(
                    select(AuditEntry)
                    .where(
                        AuditEntry.entity_type == "dispute", AuditEntry.entity_id == str(model.id)
                    )
                    .order_by(AuditEntry.id)
                )
                if e.action != "overdue"
            ]
            expected = [("opened", "open", None)]
            if model.status is D.CLOSED:
                expected.append(("closed", "closed", model.closed_by))
            elif model.status is not D.OPEN:
                expected.append(("decided", model.status.value, None))
            assert trail == expected
        business_actions = Counter(
            self.db.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.entity_type == "business", AuditEntry.action != "created"
                )
            )
        )
        assert business_actions == +Counter(
            {k: v for k, v in self.audit_counts.items() if k != "watch"}
        )

    @invariant()
    def notice_links_open_their_own_complaint(self) -> None:
        for claim in self.claims.values():
            opened = links.complaint_for_token(self.db, claim.token)
            if self.now < claim.link_expires_at:
                assert opened is not None and opened.id == claim.id
            else:
                assert opened is None

    @invariant()
    def dispute_queue(self) -> None:
        """Admins see the open disputes; one whose complaint was settled is closed."""
        for status in (D.OPEN, D.CLOSED):
            queue = [d.id for d in disputes.queue(self.db, status)]
            assert sorted(queue) == sorted(
                i for i, d in self.disputes.items() if d.status is status
            )

    @invariant()
    def search_shows_what_others_may_see(self) -> None:
        live = self.live()
        counts = search.complaint_counts(self.db, live)
        assert {i: sum(counts.get(i, ())) for i in live} == {i: self.listed_count(i) for i in live}
        for _, gstin in GSTINS:
            holder = self.gstin_holder.get(gstin)
            hits = search.search(self.db, gstin).hits
            if holder is None:
                assert hits == []
                continue
            kept = self.survivor(holder)
            assert [(h.business.id, sum(h.counts)) for h in hits] == [
                (kept, self.listed_count(kept))
            ]
        for pan in sorted({gstin[2:12] for _, gstin in GSTINS}):
            hits = search.search(self.db, pan).hits
            holders = [i for i in live if self.biz[i].pan == pan]
            assert [(h.business.id, sum(h.counts)) for h in hits] == [
                (i, self.listed_count(i)) for i in holders
            ]
        for name, city in NAMES:
            for hit in search.search(self.db, name, city=city).hits:
                if hit.business.id in self.biz:
                    assert self.biz[hit.business.id].merged_into is None, "merged record found"
                    assert sum(hit.counts) == self.listed_count(hit.business.id)

    @invariant()
    def reports_agree_with_the_complaints(self) -> None:
        reporters = [self.db.get(Member, m.member_id) for m in self.members]
        secrets = [r.name for r in reporters] + [r.gstin for r in reporters]
        for business in self.live():
            report = credit_report.build_report(self.db, business, self.now)
            entity, gstins = self.legal_entity(business)
            assert report["business"]["gstins"] == gstins
            shown = [c for c in self.claims.values() if c.business in entity and self.visible(c)]
            expected = sorted(
                (
                    c.status.value,
                    c.amount_paise,
                    0 if c.status is C.SETTLED else c.outstanding_paise,
                )
                for c in shown
            )
            got = sorted(
                (row["status"], row["amount_paise"], row["outstanding_paise"])
                for row in report["complaints"]
            )
            assert got == expected, f"report on #{business}"
            summary = report["summary"]
            assert summary["complaints"] == len(shown)
            assert summary["settled"] == sum(1 for c in shown if c.status is C.SETTLED)
            if not shown:
                assert report["score"]["value"] == 100
            assert 0 <= report["score"]["value"] <= 100
            text = json.dumps(report, ensure_ascii=False)
            assert not any(secret in text for secret in secrets), "a reporter is named"

    @invariant()
    def dashboards(self) -> None:
        today: date = self.now.date()
        for index, member in enumerate(self.members):
            mine = [c for c in self.claims.values() if c.member == index]
            overview = dashboard.overview(self.db, member.member_id, today)  # type: ignore[arg-type]
            # Withdrawn complaints are left out of every total, the count too.
            assert overview.complaints == sum(1 for c in mine if c.status is not C.WITHDRAWN)
            assert overview.withdrawn == sum(1 for c in mine if c.status is C.WITHDRAWN)
            assert overview.reported_paise == sum(
                c.outstanding_paise for c in mine if c.status is not C.WITHDRAWN
            )
            assert overview.recovered_paise == sum(
                c.outstanding_paise for c in mine if c.status is C.SETTLED
            )
            assert overview.outstanding_paise == sum(
                c.outstanding_paise for c in mine if c.status in OPEN_STATES
            )

    @invariant()
    def watchlist_alerts(self) -> None:
        for index, member in enumerate(self.members):
            alerts = self.db.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.member_id == member.member_id)
            )
            assert alerts == self.alerts[index], f"alerts of member {index}"
            messages = self.db.scalars(
                select(Notification.message).where(Notification.member_id == member.member_id)
            ).all()
            # a first listing is new to watchers, however it came; only a relisting is "again"
            assert (
                sum(1 for m in messages if m.startswith("A new complaint"))
                == (self.listing_alerts[(index, "new")])
            )
            assert (
                sum(1 for m in messages if "listed again" in m)
                == (self.listing_alerts[(index, "again")])
            )
        watched = {(w.member_id, w.business_id) for w in self.db.scalars(select(Watch))}
        assert watched == {(self.members[m].member_id, b) for m, b in self.watches}
