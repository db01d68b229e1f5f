"""The life-cycle machine's model of the registry: what PRODUCT.md says it holds, kept
beside the real one while `test_life_cycle_machine.py` drives the services.

The cast every run draws from (reporters, debtors, invoice numbers, amounts, how far the
clock moves), the model's records of businesses, complaints, disputes and merges, the
clock the services read, and `ModelReading`: the model's reading of the rules (which
record survives a merge, which complaints other members may see, a legal entity's
records and GSTINs) and its moves, with the watchlist alerts each move owes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from registry.identifiers import gstin_for
from registry.models import Complaint, ComplaintStatus, DisputeStatus
from registry.models.complaints import SETTLED_SHOWN_FOR

C = ComplaintStatus
D = DisputeStatus

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
    filled_pan: str | None  # the merged record's PAN, where the survivor had none
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


class ModelReading:
    """The model's state (the machine keeps it) and what PRODUCT.md makes of it."""

    db: Any
    clock: Clock
    biz: dict[int, Biz]
    gstin_holder: dict[str, int]
    claims: dict[int, Claim]
    watches: set[tuple[int, int]]  # (member index, business id)
    alerts: Counter[int]  # member index -> notifications
    #: (member index, "new" or "again") -> alerts of a listing
    listing_alerts: Counter[tuple[int, str]]

    @property
    def now(self) -> datetime:
        return self.clock.current

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
            return self.now - claim.settled_at <= SETTLED_SHOWN_FOR
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
