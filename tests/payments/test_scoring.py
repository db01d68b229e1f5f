"""The risk score, in tables and properties (docs/scoring.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.reports.scoring import Claim, grade_of, payment_index, score

TODAY = date(2026, 11, 22)
LAKH = 100_000_00  # ₹1,00,000 in paise


def claim(days=30, reporter=1, status="listed", amount=LAKH, outstanding=None, age=400):
    return Claim(
        reporter=reporter,
        status=status,
        amount_paise=amount,
        outstanding_paise=amount if outstanding is None else outstanding,
        days_beyond_terms=days,
        reported_on=TODAY - timedelta(days=age),
    )


@pytest.mark.parametrize(
    ("days", "index"),
    [
        (0, 100),
        (-5, 100),
        (15, 80),
        (30, 70),
        (45, 60),
        (60, 50),
        (90, 35),
        (120, 20),
        (180, 0),
        (999, 0),
    ],
)
def test_the_payment_index_table(days, index):
    assert payment_index(days) == pytest.approx(index)


def test_more_days_beyond_terms_lower_the_score():
    values = [score([claim(days=days)], TODAY).value for days in (5, 20, 45, 75, 110)]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)


def test_the_days_are_weighted_by_amount():
    small_late = [claim(days=150, amount=10_000_00), claim(days=5, amount=10 * LAKH)]
    big_late = [claim(days=5, amount=10_000_00), claim(days=150, amount=10 * LAKH)]
    assert score(small_late, TODAY).value > score(big_late, TODAY).value


def test_more_reporters_lower_the_score():
    """The same debt and lateness, reported by 1, 2, 3 then 4 members."""
    values = [
        score([claim(reporter=n % reporters, amount=LAKH // 4) for n in range(4)], TODAY).value
        for reporters in (1, 2, 3, 4)
    ]
    assert values == sorted(values, reverse=True) and len(set(values)) == 4


def test_more_outstanding_lowers_the_score():
    values = [
        score([claim(amount=a)], TODAY).value for a in (10_000_00, LAKH, 10 * LAKH, 100 * LAKH)
    ]
    assert values == sorted(values, reverse=True) and len(set(values)) == 4


@pytest.mark.parametrize(("age", "points"), [(10, -10.0), (90, -10.0), (200, -5.0), (400, 0.0)])
def test_recent_complaints_weigh_more(age, points):
    factors = {f.name: f.points for f in score([claim(age=age)], TODAY).factors}
    assert factors["recency"] == points


def test_settling_raises_the_score():
    open_ = [claim(days=40, reporter=1), claim(days=40, reporter=2)]
    one_settled = [open_[0], claim(days=40, reporter=2, status="settled", outstanding=0)]
    both = [claim(days=40, reporter=r, status="settled", outstanding=0) for r in (1, 2)]
    values = [score(claims, TODAY).value for claims in (open_, one_settled, both)]
    assert values[0] < values[1] < values[2]
    assert {f.name: f.points for f in score(both, TODAY).factors}["settlements"] == 10.0


def test_no_complaints_is_the_safest():
    result = score([], TODAY)
    assert (result.value, result.grade) == (100, "A")
    assert [f.name for f in result.factors] == ["no_records"]


def test_the_factors_explain_the_score():
    result = score([claim(days=75, age=30), claim(days=10, reporter=2)], TODAY)
    assert result.value == round(100 + sum(f.points for f in result.factors))
    assert [f.name for f in result.factors] == [
        "days_beyond_terms",
        "reporters",
        "outstanding",
        "recency",
    ]


@pytest.mark.parametrize(
    ("value", "grade"),
    [(100, "A"), (80, "A"), (79, "B"), (65, "B"), (50, "C"), (35, "D"), (34, "E"), (0, "E")],
)
def test_grades(value, grade):
    assert grade_of(value) == grade


def test_a_worse_grade_never_suggests_more_credit():
    limits = [
        score([claim(days=d, age=10)], TODAY).credit_limit_paise for d in (0, 20, 40, 80, 200)
    ]
    assert limits == sorted(limits, reverse=True) and limits[-1] == 0


claims = st.lists(
    st.builds(
        claim,
        days=st.floats(min_value=-30, max_value=5000, allow_nan=False),
        reporter=st.integers(1, 20),
        status=st.sampled_from(["listed", "disputed", "settled"]),
        amount=st.integers(0, 10**13),
        outstanding=st.integers(0, 10**13),
        age=st.integers(-10, 5000),
    ),
    max_size=30,
)


@given(claims)
def test_the_score_is_always_within_0_and_100(found):
    result = score(found, TODAY)
    assert 0 <= result.value <= 100
    assert result.grade == grade_of(result.value)


@given(claims, st.data())
def test_being_later_never_raises_the_score(found, data):
    if not found:
        return
    index = data.draw(st.integers(0, len(found) - 1))
    extra = data.draw(st.floats(min_value=0, max_value=1000, allow_nan=False))
    later = list(found)
    original = later[index]
    later[index] = Claim(
        **{**original.__dict__, "days_beyond_terms": original.days_beyond_terms + extra}
    )
    assert score(later, TODAY).value <= score(found, TODAY).value


@given(claims, st.data())
def test_settling_never_lowers_the_score(found, data):
    open_ = [n for n, c in enumerate(found) if c.status != "settled"]
    if not open_:
        return
    index = data.draw(st.sampled_from(open_))
    settled = list(found)
    settled[index] = Claim(**{**found[index].__dict__, "status": "settled", "outstanding_paise": 0})
    assert score(settled, TODAY).value >= score(found, TODAY).value
