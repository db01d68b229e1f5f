"""A stateful hunt over the complaint's life and what other members see of it.

Several members file complaints against a few businesses (by GSTIN, by PAN through a
second GSTIN, by name, by registry id); the complaints move through their states by the
real services (notice period over, disputes and decisions, settlement, withdrawal,
promises to pay), an admin merges duplicate businesses and undoes merges, and time
passes. A plain model beside it says, from PRODUCT.md, what must hold; after every step
the machine compares what users would see: statuses and their audit trail, the counts in
free search results, the paid report, the dispute queue, members' dashboards and
watchlist alerts. A refused step must raise its domain error and change nothing.

Here: the machine's rules and the test. The model (its records, the clock, the cast and
its reading of PRODUCT.md) is in `life_cycle_model.py`; what users see, checked after
every step, in `life_cycle_checks.py`; how the machine files and what it expects of a
filing, in `life_cycle_filing.py`.

`LIFE_CYCLE_EXAMPLES` / `LIFE_CYCLE_STEPS` raise the effort when hunting locally.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from registry.actors import Actor
from registry.complaints import disputes, life
from registry.complaints.notices import reminders
from registry.directory import debtors, merges
from registry.errors import Conflict, InvalidTransition, ValidationFailed
from registry.members import watches as watchlist
from registry.models import AuditEntry, Complaint, Dispute
from registry.reports import credit_report
from tests.registry.life_cycle_checks import WhatUsersSee
from tests.registry.life_cycle_filing import Filings
from tests.registry.life_cycle_model import (
    AMOUNTS,
    DELAYS,
    GSTINS,
    NAMES,
    NUMBERS,
    OPEN_STATES,
    REPORTERS,
    SEEN,
    Biz,
    C,
    Claim,
    Clock,
    D,
    DisputeM,
    MergeM,
    seen,
)

EXAMPLES = int(os.environ.get("LIFE_CYCLE_EXAMPLES", "25"))
STEPS = int(os.environ.get("LIFE_CYCLE_STEPS", "15"))

# What the filing rules draw: which member reports, the invoice numbers, which amount.
REPORTER = st.integers(0, len(REPORTERS) - 1)
INVOICE_NUMBERS = st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=2)
AMOUNT = st.integers(0, len(AMOUNTS) - 1)


class LifeCycles(Filings, WhatUsersSee, RuleBasedStateMachine):
    """The rules: members file, the complaints live their life, an admin merges, time
    passes. Each run works in a savepoint of the test's session, rolled back after it."""

    complaints_ = Bundle("complaints")
    disputes_ = Bundle("disputes")

    def __init__(
        self, db: Any, settings: Any, members: list[Actor], admin: Actor, clock: Clock
    ) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.members = members
        self.admin = admin
        self.savepoint = db.begin_nested()
        self.clock = clock
        clock.current = datetime.now(UTC)
        self.biz: dict[int, Biz] = {}
        self.gstin_holder: dict[str, int] = {}
        self.claims: dict[int, Claim] = {}
        self.disputes: dict[int, DisputeM] = {}
        self.merges: dict[int, MergeM] = {}
        self.watches: set[tuple[int, int]] = set()  # (member index, business id)
        self.alerts: Counter[int] = Counter()  # member index -> notifications
        #: (member index, "new" or "again") -> alerts of a listing
        self.listing_alerts: Counter[tuple[int, str]] = Counter()
        self.audit_counts: Counter[str] = Counter()  # merges, watches

    def teardown(self) -> None:
        self.savepoint.rollback()
        self.db.expunge_all()  # SQLite hands the rolled-back ids out again

    def score(self, business_id: int) -> int:
        report = credit_report.build_report(self.db, business_id, self.now)
        value: int = report["score"]["value"]
        return value

    # -- rules: filing -----------------------------------------------------------------

    @initialize()
    def starts_empty(self) -> None:
        """Each run starts from no complaints (the run before was rolled back)."""
        assert self.snapshot()[1] == []

    @rule(
        target=complaints_,
        member=REPORTER,
        debtor=st.integers(0, len(GSTINS) - 1),
        numbers=INVOICE_NUMBERS,
        amount=AMOUNT,
    )
    def file_by_gstin(self, member: int, debtor: int, numbers: list[str], amount: int) -> Any:
        name, gstin = GSTINS[debtor]
        holder = self.gstin_holder.get(gstin)
        expected: int | None
        if holder is not None:
            expected = self.survivor(holder)
        else:  # another GSTIN of a PAN on the registry joins that legal entity's record
            same_pan = [i for i in self.live() if self.biz[i].pan == gstin[2:12]]
            expected = same_pan[0] if same_pan else None
        email = f"accounts{debtor}@debtor.example"
        made = self.file(
            member, debtors.DebtorIn(name=name, gstin=gstin, email=email), numbers, amount, expected
        )
        if made is None:
            return multiple()
        business = self.claims[made].business
        if holder is None:
            self.gstin_holder[gstin] = business
            self.biz[business].pan = self.biz[business].pan or gstin[2:12]
        return multiple(made)

    @rule(
        target=complaints_,
        member=REPORTER,
        debtor=st.integers(0, len(NAMES) - 1),
        numbers=INVOICE_NUMBERS,
        amount=AMOUNT,
        new=st.booleans(),
    )
    def file_by_name(
        self, member: int, debtor: int, numbers: list[str], amount: int, new: bool
    ) -> Any:
        name, city = NAMES[debtor]
        request = debtors.DebtorIn(
            name=name, city=city, email=f"owner{debtor}@name.example", new_business=new
        )
        keys = self.keys(self.request(request, numbers, amount))
        if not new and len(keys) == len(numbers) and not self.reported_already(member, keys):
            try:
                before = self.snapshot()
                made = self.file(member, request, numbers, amount, None)
            except Conflict as exc:
                assert exc.code == "confirm_business"
                seen("asked to confirm the debtor")
                assert self.snapshot() == before, "asking to confirm the debtor wrote something"
                candidates = [c["business_id"] for c in exc.extra["candidates"]]
                assert candidates and set(candidates) <= set(self.live())
                return multiple()
        else:
            made = self.file(member, request, numbers, amount, None)
        return multiple(made) if made is not None else multiple()

    @precondition(lambda self: self.biz)
    @rule(
        target=complaints_,
        member=REPORTER,
        data=st.data(),
        numbers=INVOICE_NUMBERS,
        amount=AMOUNT,
    )
    def file_by_registry_id(
        self, member: int, data: st.DataObject, numbers: list[str], amount: int
    ) -> Any:
        """The member confirms a business from the candidates (a merged id answers its
        survivor)."""
        business = data.draw(st.sampled_from(sorted(self.biz)), label="business")
        request = debtors.DebtorIn(name="", business_id=business, email="ar@confirmed.example")
        made = self.file(member, request, numbers, amount, self.survivor(business))
        return multiple(made) if made is not None else multiple()

    # -- rules: the complaint's life ---------------------------------------------------

    @rule(delay=st.sampled_from(DELAYS))
    def time_passes(self, delay: timedelta) -> None:
        """The worker's round (on the clock, as the worker runs it): reminders, notice
        periods over are listed, overdue disputes flagged."""
        self.clock.current += delay
        before = Counter(
            self.db.scalars(
                select(AuditEntry.entity_id).where(AuditEntry.action == "reminder_sent")
            )
        )
        sent = reminders.send_due_reminders(self.db, self.settings)
        after = Counter(
            self.db.scalars(
                select(AuditEntry.entity_id).where(AuditEntry.action == "reminder_sent")
            )
        )
        assert sum((after - before).values()) == sent
        for entity_id in after - before:
            claim = self.claims[int(entity_id)]
            # two reminders, while the complaint is in its notice period
            assert claim.status is C.IN_NOTICE and self.now < claim.notice_ends_at
            claim.reminders = after[entity_id]
            assert claim.reminders <= 2
        due = [
            c
            for c in self.claims.values()
            if c.status is C.IN_NOTICE and c.notice_ends_at <= self.now
        ]
        assert life.list_notice_period_over(self.db) == len(due)
        for claim in sorted(due, key=lambda c: c.notice_ends_at):
            self.move(claim, C.LISTED)
        overdue = [
            d
            for d in self.disputes.values()
            if d.status is D.OPEN and not d.flagged and d.due_at <= self.now
        ]
        assert disputes.flag_overdue(self.db) == len(overdue)
        for dispute in overdue:
            dispute.flagged = True

    @rule(target=disputes_, complaint=complaints_)
    def debtor_disputes(self, complaint: int) -> Any:
        claim = self.claims[complaint]
        row = self.db.get(Complaint, complaint)
        rejected_before = any(
            d.complaint == complaint and d.status is D.REJECTED for d in self.disputes.values()
        )

        def call() -> Dispute:
            return disputes.open_dispute(
                self.db, self.settings, row, "not_delivered", "We never received these goods."
            )

        if claim.status not in (C.IN_NOTICE, C.LISTED) or rejected_before:
            self.refused(call, InvalidTransition)
            return multiple()
        dispute = call()
        assert dispute.due_at - dispute.opened_at == timedelta(
            days=self.settings.dispute_deadline_days
        )
        self.move(claim, C.DISPUTED)
        self.disputes[dispute.id] = DisputeM(dispute.id, complaint, dispute.due_at)
        return multiple(dispute.id)

    @rule(dispute=disputes_, upheld=st.booleans())
    def admin_decides(self, dispute: int, upheld: bool) -> None:
        model = self.disputes[dispute]
        claim = self.claims[model.complaint]
        row = self.db.get(Dispute, dispute)
        outcome = "upheld" if upheld else "rejected"

        def call() -> None:
            disputes.decide(
                self.db, row, outcome, "Reasons given after reading both sides.", self.admin
            )

        if model.status is not D.OPEN or claim.status is not C.DISPUTED:
            self.refused(call, InvalidTransition)
            return
        call()
        model.status = D.UPHELD if upheld else D.REJECTED
        self.move(claim, C.REMOVED if upheld else C.LISTED)

    @rule(complaint=complaints_)
    def member_settles(self, complaint: int) -> None:
        claim = self.claims[complaint]
        row = self.db.get(Complaint, complaint)
        actor = self.members[claim.member]
        if claim.status not in OPEN_STATES:
            self.refused(lambda: life.settle(self.db, row, actor, "paid"), InvalidTransition)
            return
        business = self.survivor(claim.business)
        before = self.score(business)
        life.settle(self.db, row, actor, "paid by NEFT")
        self.move(claim, C.SETTLED)
        for dispute in self.disputes.values():  # nothing is left for an admin to decide
            if dispute.complaint == complaint and dispute.status is D.OPEN:
                seen("dispute closed by settling")
                dispute.status = D.CLOSED
                dispute.closed_by = actor.user_id
        # docs/scoring.md: settling never lowers the score
        assert self.score(business) >= before, "settling lowered the score"

    @rule(complaint=complaints_)
    def member_withdraws(self, complaint: int) -> None:
        claim = self.claims[complaint]
        row = self.db.get(Complaint, complaint)
        actor = self.members[claim.member]
        if claim.status is not C.IN_NOTICE:
            self.refused(lambda: life.withdraw(self.db, row, actor), InvalidTransition)
            return
        life.withdraw(self.db, row, actor)
        self.move(claim, C.WITHDRAWN)

    @rule(complaint=complaints_, days=st.sampled_from((0, 1, 30, 180, 181)))
    def debtor_promises(self, complaint: int, days: int) -> None:
        claim = self.claims[complaint]
        row = self.db.get(Complaint, complaint)
        today = self.now.date()
        by = today + timedelta(days=days)

        def call() -> None:
            life.promise_payment(self.db, row, by, today)

        if claim.status not in (C.IN_NOTICE, C.LISTED):
            self.refused(call, InvalidTransition)
        elif not 1 <= days <= life.MAX_PROMISE_DAYS:
            self.refused(call, ValidationFailed)
        else:
            again = row.promised_payment_date == by  # the same promise repeated: no news
            call()
            assert row.promised_payment_date == by and row.status is claim.status
            claim.promises += 0 if again else 1

    # -- rules: businesses ---------------------------------------------------------------

    @precondition(lambda self: self.biz)
    @rule(member=REPORTER, data=st.data())
    def member_watches(self, member: int, data: st.DataObject) -> None:
        business = data.draw(st.sampled_from(sorted(self.biz)), label="business")
        watched = watchlist.watch(self.db, self.members[member], business)
        kept = self.survivor(business)
        assert watched.business.id == kept
        assert watched.created is ((member, kept) not in self.watches)
        if watched.created:
            self.watches.add((member, kept))
            self.audit_counts["watch"] += 1

    @precondition(lambda self: len(self.biz) > 1)
    @rule(data=st.data(), live=st.booleans())
    def admin_merges(self, data: st.DataObject, live: bool) -> None:
        """Any two records (mostly refused), or two live ones (a duplicate pair)."""
        pool = self.live() if live and len(self.live()) > 1 else sorted(self.biz)
        keep = data.draw(st.sampled_from(pool), label="keep")
        others = [b for b in pool if b != keep] if live else pool
        gone = data.draw(st.sampled_from(others), label="gone")
        k, g = self.biz[keep], self.biz[gone]
        clash = any(
            a.member == b.member and a.keys & b.keys
            for a in self.claims.values()
            if a.business == gone
            for b in self.claims.values()
            if b.business == keep
        )
        if (
            keep == gone
            or k.merged_into is not None
            or g.merged_into is not None
            or (k.pan and g.pan and k.pan != g.pan)
            or clash
        ):
            self.refused(lambda: merges.merge(self.db, keep, gone, self.admin), ValidationFailed)
            return
        record = merges.merge(self.db, keep, gone, self.admin)
        seen("merged")
        moved = sorted(c.id for c in self.claims.values() if c.business == gone)
        for claim_id in moved:
            self.claims[claim_id].business = keep
        gstins = sorted(x for x, holder in self.gstin_holder.items() if holder == gone)
        for gstin in gstins:
            self.gstin_holder[gstin] = keep
        watchers = sorted(m for m, b in self.watches if b == gone)
        dropped = [m for m in watchers if (m, keep) in self.watches]
        moved_watches = [m for m in watchers if (m, keep) not in self.watches]
        self.watches -= {(m, gone) for m in watchers}
        self.watches |= {(m, keep) for m in moved_watches}
        self.merges[record.id] = MergeM(
            record.id,
            keep,
            gone,
            moved,
            gstins,
            g.pan if not k.pan else None,
            moved_watches,
            dropped,
        )
        k.pan = k.pan or g.pan
        g.merged_into = keep
        self.audit_counts["merged"] += 1
        self.audit_counts["merged_away"] += 1

    @precondition(lambda self: self.merges)
    @rule(data=st.data())
    def admin_undoes_merge(self, data: st.DataObject) -> None:
        merge = data.draw(st.sampled_from(sorted(self.merges)), label="merge")
        model = self.merges[merge]
        if model.undone or self.biz[model.keep].merged_into is not None:
            self.refused(lambda: merges.undo(self.db, merge, self.admin), InvalidTransition)
            return
        merges.undo(self.db, merge, self.admin)
        seen("merge undone")
        model.undone = True
        for claim_id in model.complaints:
            self.claims[claim_id].business = model.gone
        for gstin in model.gstins:
            self.gstin_holder[gstin] = model.gone
        # "an undo puts back exactly what moved": the PAN this merge filled in goes, unless
        # the survivor has it otherwise (a GSTIN of it, another record of it merged in)
        kept = self.biz[model.keep]
        if model.filled_pan and kept.pan == model.filled_pan:
            held = [x for x, holder in self.gstin_holder.items() if holder == model.keep]
            merged_in = [
                b for i, b in self.biz.items() if b.merged_into == model.keep and i != model.gone
            ]
            if all(x[2:12] != kept.pan for x in held) and all(b.pan != kept.pan for b in merged_in):
                kept.pan = None
        self.biz[model.gone].merged_into = None
        self.watches -= {(m, model.keep) for m in model.moved_watches}
        self.watches |= {(m, model.gone) for m in model.moved_watches + model.dropped_watches}
        self.audit_counts["merge_undone"] += 2


def test_complaint_life_cycles(db, settings, factory, monkeypatch):
    members = [Actor.of(factory.member_user(name=name)) for name in REPORTERS]
    admin = Actor.of(factory.admin())
    clock = Clock()
    monkeypatch.setattr("registry.models.base.datetime", clock)
    run_state_machine_as_test(
        lambda: LifeCycles(db, settings, members, admin, clock),
        settings=hsettings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[
                HealthCheck.function_scoped_fixture,
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
            ],
        ),
    )
    if os.environ.get("LIFE_CYCLE_STATS"):
        print(*sorted(SEEN.items()), sep="\n")
