"""A stateful hunt over the complaint's life and what other members see of it.

Several members file complaints against a few businesses (by GSTIN, by PAN through a
second GSTIN, by name, by registry id); the complaints move through their states by the
real services (notice period over, disputes and decisions, settlement, withdrawal,
promises to pay), an admin merges duplicate businesses and undoes merges, and time
passes. A plain model beside it says, from PRODUCT.md, what must hold; after every step
the machine compares what users would see: statuses and their audit trail, the counts in
free search results, the paid report, the dispute queue, members' dashboards and
watchlist alerts. A refused step must raise its domain error and change nothing.

`LIFE_CYCLE_EXAMPLES` / `LIFE_CYCLE_STEPS` raise the effort when hunting locally.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from registry import (
    complaints,
    dashboard,
    debtors,
    disputes,
    filing,
    merges,
    notices,
    reminders,
    reports,
    search,
)
from registry import watches as watchlist
from registry.actors import Actor
from registry.errors import Conflict, InvalidTransition, RegistryError, ValidationFailed
from registry.identifiers import gstin_for
from registry.models import (
    AuditEntry,
    Business,
    BusinessAlias,
    BusinessGstin,
    BusinessMerge,
    Complaint,
    ComplaintStatus,
    Dispute,
    DisputeStatus,
    Invoice,
    Member,
    Notification,
    OutboxMessage,
    Watch,
)
from tests.conftest import PDF

C = ComplaintStatus
D = DisputeStatus

EXAMPLES = int(os.environ.get("LIFE_CYCLE_EXAMPLES", "25"))
STEPS = int(os.environ.get("LIFE_CYCLE_STEPS", "15"))

REPORTERS = ("Alpha Reporter Exports", "Beta Reporter Mills", "Gamma Reporter Agencies")
#: Two GSTINs under one PAN (one legal entity in two states) and one of another PAN.
GSTINS = (
    ("Lakshmi Paper Mart", gstin_for("24", "ABCFL1111A")),
    ("Lakshmi Paper Mart Mumbai", gstin_for("27", "ABCFL1111A")),
    ("Marwar Steel Company", gstin_for("08", "AADCM2222B")),
)
NAMES = (("Om Sai Traders", "Pune"), ("Shri Krishna Enterprises", "Jaipur"))
#: Invoice numbers; "inv 1" is INV-1 spelled otherwise (one invoice), as are B/7 and b7.
NUMBERS = ("INV-1", "inv 1", "INV-2", "B/7", "b7", "INV-3", "C-11", "C-12")
AMOUNTS = ((50_000_00, 0), (3_00_000_00, 1_00_000_00), (12_00_000_00, 0))
#: How far the clock moves in one step.
DELAYS = (
    timedelta(hours=1),
    timedelta(days=3),
    timedelta(days=16),
    timedelta(days=31),
    timedelta(days=400),
    timedelta(days=5 * 365 + 10),
)
OPEN_STATES = (C.IN_NOTICE, C.LISTED, C.DISPUTED)
CLOSED = (C.SETTLED, C.REMOVED, C.WITHDRAWN)
#: What the runs did, printed with `LIFE_CYCLE_STATS=1` (is the hunt reaching the rules?).
SEEN: Counter[str] = Counter()


def seen(what: str) -> None:
    SEEN[what] += 1


@dataclass
class Biz:
    id: int
    pan: str | None
    merged_into: int | None = None


@dataclass
class Claim:
    id: int
    member: int
    business: int
    amount_paise: int
    outstanding_paise: int
    keys: frozenset[str]
    notice_ends_at: datetime
    token: str
    link_expires_at: datetime
    status: C = C.IN_NOTICE
    history: list[C] = field(default_factory=lambda: [C.FILED, C.IN_NOTICE])
    listed_ever: bool = False
    closed_at: datetime | None = None
    settled_at: datetime | None = None
    promises: int = 0
    reminders: int = 0


@dataclass
class DisputeM:
    id: int
    complaint: int
    due_at: datetime
    status: D = D.OPEN
    flagged: bool = False
    closed_by: int | None = None  # the user who settled the complaint


@dataclass
class MergeM:
    id: int
    keep: int
    gone: int
    complaints: list[int]
    gstins: list[str]
    keep_pan_before: str | None
    moved_watches: list[int]
    dropped_watches: list[int]
    undone: bool = False


class Clock:
    """Stands in for `datetime` inside `registry.models.base`, so `utcnow()` (every date
    the services stamp) reads the machine's clock."""

    def __init__(self) -> None:
        self.current = datetime.now(UTC)

    def now(self, tz: Any = None) -> datetime:
        assert tz is UTC
        return self.current


class LifeCycles(RuleBasedStateMachine):
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

    @property
    def now(self) -> datetime:
        return self.clock.current

    def teardown(self) -> None:
        self.savepoint.rollback()
        self.db.expunge_all()  # SQLite hands the rolled-back ids out again

    # -- the model's reading of PRODUCT.md ---------------------------------------------

    def survivor(self, business_id: int) -> int:
        while self.biz[business_id].merged_into is not None:
            business_id = self.biz[business_id].merged_into  # type: ignore[assignment]
        return business_id

    def visible(self, claim: Claim) -> bool:
        """Other members see a complaint only once it was listed; then while listed,
        disputed, or settled within five years; never removed or withdrawn."""
        if not claim.listed_ever or claim.status not in (C.LISTED, C.DISPUTED, C.SETTLED):
            return False
        if claim.status is C.SETTLED:
            assert claim.closed_at == claim.settled_at
            return self.now - claim.settled_at <= complaints.SETTLED_SHOWN_FOR
        return True

    def family(self, ids: set[int]) -> set[int]:
        family = set(ids)
        while True:
            more = {b.id for b in self.biz.values() if b.merged_into in family} - family
            if not more:
                return family
            family |= more

    def legal_entity(self, business_id: int) -> tuple[set[int], list[str]]:
        """Merged records and every record holding a GSTIN or the PAN of the same PAN;
        and all their GSTINs (a report shows them together)."""
        ids = self.family({business_id})
        pans = {g[2:12] for g, holder in self.gstin_holder.items() if holder in ids}
        pans |= {self.biz[i].pan for i in ids if self.biz[i].pan}  # type: ignore[misc]
        same = {b.id for b in self.biz.values() if b.pan in pans}
        same |= {holder for g, holder in self.gstin_holder.items() if g[2:12] in pans}
        ids = self.family(ids | same)
        gstins = {g for g, holder in self.gstin_holder.items() if holder in ids or g[2:12] in pans}
        return ids, sorted(gstins)

    def listed_count(self, business_id: int) -> int:
        return sum(1 for c in self.claims.values() if c.business == business_id and self.visible(c))

    def live(self) -> list[int]:
        return sorted(b.id for b in self.biz.values() if b.merged_into is None)

    def move(self, claim: Claim, target: C) -> None:
        """Apply an allowed move to the model, with the watchlist alerts it owes."""
        was_visible = self.visible(claim)
        listing = "again" if claim.listed_ever else "new"
        seen(f"{claim.status.value} -> {target.value}")
        claim.status = target
        claim.history.append(target)
        if target is C.LISTED:
            claim.listed_ever = True
        if target in CLOSED:
            claim.closed_at = self.db.get(Complaint, claim.id).closed_at
            assert claim.closed_at == self.now
            if target is C.SETTLED:
                claim.settled_at = self.now
        if was_visible or self.visible(claim):
            for member, business in self.watches:
                if business == claim.business and member != claim.member:
                    self.alerts[member] += 1
                    if target is C.LISTED:
                        seen(f"watchers told of a listing: {listing}")
                        self.listing_alerts[(member, listing)] += 1

    # -- helpers -----------------------------------------------------------------------

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

    def score(self, business_id: int) -> int:
        report = reports.build_report(self.db, business_id, self.now)
        value: int = report["score"]["value"]
        return value

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
            link_expires_at=complaint.notice_sent_at + notices.LINK_LIFETIME,
        )
        return complaint.id

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
        keys = frozenset(filing.invoice_key(n) for n in numbers)
        request = self.request(debtor, numbers, amount)
        actor = self.members[member]
        today = self.now.date()
        if len(keys) < len(numbers):
            self.refused(
                lambda: filing.file_complaint(self.db, self.settings, actor, request, today),
                ValidationFailed,
            )
            return None
        if expected_business is not None and any(
            c.member == member and c.business == expected_business and c.keys & keys
            for c in self.claims.values()
        ):
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

    # -- rules: filing -----------------------------------------------------------------

    @initialize()
    def starts_empty(self) -> None:
        """Each run starts from no complaints (the run before was rolled back)."""
        assert self.snapshot()[1] == []

    @rule(
        target=complaints_,
        member=st.integers(0, len(REPORTERS) - 1),
        debtor=st.integers(0, len(GSTINS) - 1),
        numbers=st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=2),
        amount=st.integers(0, len(AMOUNTS) - 1),
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
        member=st.integers(0, len(REPORTERS) - 1),
        debtor=st.integers(0, len(NAMES) - 1),
        numbers=st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=2),
        amount=st.integers(0, len(AMOUNTS) - 1),
        new=st.booleans(),
    )
    def file_by_name(
        self, member: int, debtor: int, numbers: list[str], amount: int, new: bool
    ) -> Any:
        name, city = NAMES[debtor]
        request = debtors.DebtorIn(
            name=name, city=city, email=f"owner{debtor}@name.example", new_business=new
        )
        keys = {filing.invoice_key(n) for n in numbers}
        if not new and len(keys) == len(numbers):
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
        member=st.integers(0, len(REPORTERS) - 1),
        data=st.data(),
        numbers=st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=2),
        amount=st.integers(0, len(AMOUNTS) - 1),
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
        assert complaints.list_notice_period_over(self.db) == len(due)
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
            self.refused(lambda: complaints.settle(self.db, row, actor, "paid"), InvalidTransition)
            return
        business = self.survivor(claim.business)
        before = self.score(business)
        complaints.settle(self.db, row, actor, "paid by NEFT")
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
            self.refused(lambda: complaints.withdraw(self.db, row, actor), InvalidTransition)
            return
        complaints.withdraw(self.db, row, actor)
        self.move(claim, C.WITHDRAWN)

    @rule(complaint=complaints_, days=st.sampled_from((0, 1, 30, 180, 181)))
    def debtor_promises(self, complaint: int, days: int) -> None:
        claim = self.claims[complaint]
        row = self.db.get(Complaint, complaint)
        today = self.now.date()
        by = today + timedelta(days=days)

        def call() -> None:
            complaints.promise_payment(self.db, row, by, today)

        if claim.status not in (C.IN_NOTICE, C.LISTED):
            self.refused(call, InvalidTransition)
        elif not 1 <= days <= complaints.MAX_PROMISE_DAYS:
            self.refused(call, ValidationFailed)
        else:
            call()
            assert row.promised_payment_date == by and row.status is claim.status
            claim.promises += 1

    # -- rules: businesses ---------------------------------------------------------------

    @precondition(lambda self: self.biz)
    @rule(member=st.integers(0, len(REPORTERS) - 1), data=st.data())
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
            record.id, keep, gone, moved, gstins, k.pan, moved_watches, dropped
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
        # "an undo puts back exactly what moved": the kept record is as it was
        self.biz[model.keep].pan = model.keep_pan_before
        self.biz[model.gone].merged_into = None
        self.watches -= {(m, model.keep) for m in model.moved_watches}
        self.watches |= {(m, model.gone) for m in model.moved_watches + model.dropped_watches}
        self.audit_counts["merge_undone"] += 2

    # -- what users see, after every step ------------------------------------------------

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
            opened = notices.complaint_for_token(self.db, claim.token)
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
        counts = search.listed_counts(self.db, live)
        assert {i: counts.get(i, 0) for i in live} == {i: self.listed_count(i) for i in live}
        for _, gstin in GSTINS:
            holder = self.gstin_holder.get(gstin)
            hits = search.search(self.db, gstin).hits
            if holder is None:
                assert hits == []
                continue
            kept = self.survivor(holder)
            assert [(h.business.id, h.listed_complaints) for h in hits] == [
                (kept, self.listed_count(kept))
            ]
        for pan in sorted({gstin[2:12] for _, gstin in GSTINS}):
            hits = search.search(self.db, pan).hits
            holders = [i for i in live if self.biz[i].pan == pan]
            assert [(h.business.id, h.listed_complaints) for h in hits] == [
                (i, self.listed_count(i)) for i in holders
            ]
        for name, city in NAMES:
            for hit in search.search(self.db, name, city=city).hits:
                if hit.business.id in self.biz:
                    assert self.biz[hit.business.id].merged_into is None, "merged record found"
                    assert hit.listed_complaints == self.listed_count(hit.business.id)

    @invariant()
    def reports_agree_with_the_complaints(self) -> None:
        reporters = [self.db.get(Member, m.member_id) for m in self.members]
        secrets = [r.name for r in reporters] + [r.gstin for r in reporters]
        for business in self.live():
            report = reports.build_report(self.db, business, self.now)
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
            assert overview.complaints == len(mine)
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
