"""The risk score of a credit report: 0 to 100, higher is safer (docs/scoring.md).

A small, pure function: it is given the complaints that count (listed, disputed, and
settled within five years; never removed, withdrawn or still in notice) and today's date,
and returns the score, its grade, the factors that moved it and a credit-limit band.
Every factor is a number of points added to or taken from 100, so the factors explain the
score exactly (before rounding and the 0..100 bounds).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.language import N_
from registry.money import rupees

#: Days beyond terms -> payment index, PAYDEX-like; straight lines between the points.
PAYMENT_INDEX = (
    (0, 100.0),
    (15, 80.0),
    (30, 70.0),
    (60, 50.0),
    (90, 35.0),
    (120, 20.0),
    (180, 0.0),
)
REPORTER_POINTS, REPORTER_CAP = 10.0, 30.0
OUTSTANDING_POINTS, OUTSTANDING_UNIT_PAISE, OUTSTANDING_CAP = 5.0, 1_000_000, 20.0
RECENT_DAYS, RECENT_POINTS, YEAR_POINTS = 90, 10.0, 5.0
SETTLEMENT_POINTS, SETTLEMENT_CAP = 5.0, 15.0
GRADES = ((80, "A"), (65, "B"), (50, "C"), (35, "D"), (0, "E"))
#: Suggested credit limit per grade: (label, most credit in paise).
CREDIT_BANDS = {
    "A": ("Usual trade terms, up to ₹10,00,000", 100_000_000),
    "B": ("Up to ₹5,00,000, usual terms", 50_000_000),
    "C": ("Up to ₹1,00,000, short terms", 10_000_000),
    "D": ("Up to ₹25,000, part payment in advance", 2_500_000),
    "E": ("Advance payment only", 0),
}

OPEN = frozenset({"listed", "disputed"})


@dataclass(frozen=True)
class Claim:
    """One complaint as the score sees it."""

    reporter: int
    status: str  # "listed", "disputed" or "settled"
    amount_paise: int
    outstanding_paise: int
    days_beyond_terms: float  # amount-weighted over its invoices (at settlement if settled)
    reported_on: date


@dataclass(frozen=True)
class Factor:
    """One reason the score moved. `text` is a sentence a trader reads (a catalogue
    message with `%(name)s` placeholders, translated where it is shown), `values` fill it,
    and `label` is the English sentence."""

    name: str
    text: str
    points: float
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.text % self.values if self.values else self.text


@dataclass(frozen=True)
class Score:
    value: int
    grade: str
    factors: list[Factor]
    credit_band: str
    credit_limit_paise: int


def payment_index(days: float) -> float:
    """100 for paying on the due date, falling to 0 at 180 days beyond terms."""
    if days <= 0:
        return 100.0
    for (d0, i0), (d1, i1) in itertools.pairwise(PAYMENT_INDEX):
        if days <= d1:
            return i0 + (i1 - i0) * (days - d0) / (d1 - d0)
    return 0.0


def grade_of(value: int) -> str:
    return next(grade for floor, grade in GRADES if value >= floor)


def score(claims: Sequence[Claim], today: date) -> Score:
    if not claims:
        factors = [Factor("no_records", N_("No listed, disputed or settled complaints."), 0.0)]
        return _result(100.0, factors)
    factors = [_days_beyond_terms(claims)]
    open_claims = [claim for claim in claims if claim.status in OPEN]
    if open_claims:
        factors += [
            _reporters(open_claims),
            _outstanding(open_claims),
            _recency(open_claims, today),
        ]
    settled = sum(1 for claim in claims if claim.status == "settled")
    if settled:
        bonus = min(SETTLEMENT_CAP, SETTLEMENT_POINTS * settled)
        text = (
            N_("One complaint settled: paying up raises the score.")
            if settled == 1
            else N_("%(count)s complaints settled: paying up raises the score.")
        )
        factors.append(Factor("settlements", text, bonus, {"count": settled}))
    return _result(100.0 + sum(factor.points for factor in factors), factors)


def _result(raw: float, factors: list[Factor]) -> Score:
    value = max(0, min(100, round(raw)))
    grade = grade_of(value)
    band, limit = CREDIT_BANDS[grade]
    return Score(value, grade, factors, band, limit)


def _days_beyond_terms(claims: Sequence[Claim]) -> Factor:
    weight = sum(max(claim.amount_paise, 1) for claim in claims)
    days = sum(max(claim.amount_paise, 1) * claim.days_beyond_terms for claim in claims) / weight
    points = round(payment_index(days) - 100.0, 1)
    # "Paid N days late" is said only when every invoice counted has been paid (all its
    # complaints settled): an unpaid invoice is still ageing, it was never "paid late".
    if all(claim.status == "settled" for claim in claims):
        text = N_("Paid on average %(days)s days after the due date (weighted by amount).")
    elif any(claim.status == "settled" for claim in claims):
        text = N_(
            "Invoices are on average %(days)s days past their due date (weighted by "
            "amount): unpaid ones counted until today, paid ones until they were paid."
        )
    else:
        text = N_(
            "Unpaid invoices are on average %(days)s days past their due date (weighted by amount)."
        )
    return Factor("days_beyond_terms", text, points, {"days": round(days)})


def _reporters(open_claims: Sequence[Claim]) -> Factor:
    count = len({claim.reporter for claim in open_claims})
    points = -min(REPORTER_CAP, REPORTER_POINTS * (count - 1))
    text = (
        N_("One member reports unpaid invoices.")
        if count == 1
        else N_("%(count)s different members report unpaid invoices: a pattern, not a quarrel.")
    )
    return Factor("reporters", text, points, {"count": count})


def _outstanding(open_claims: Sequence[Claim]) -> Factor:
    total = sum(max(claim.outstanding_paise, 0) for claim in open_claims)
    points = min(
        OUTSTANDING_CAP, OUTSTANDING_POINTS * math.log10(1 + total / OUTSTANDING_UNIT_PAISE)
    )
    return Factor(
        "outstanding",
        N_("%(amount)s is still unpaid on open complaints."),
        -round(points, 1),
        {"amount": rupees(total)},
    )


def _recency(open_claims: Sequence[Claim], today: date) -> Factor:
    newest = max(claim.reported_on for claim in open_claims)
    age = (today - newest).days
    points = RECENT_POINTS if age <= RECENT_DAYS else YEAR_POINTS if age <= 365 else 0.0
    text = (
        N_("The latest open complaint was reported today.")
        if age <= 0
        else N_("The latest open complaint was reported %(days)s days ago.")
    )
    return Factor("recency", text, -points, {"days": max(age, 0)})
