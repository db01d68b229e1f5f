from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.complaints.msmed import appointed_day, interest_paise

RATE = Decimal("6.50")  # bank rate; the Act multiplies it by three: 19.5% a year, 1.625% a month


@pytest.mark.parametrize(
    ("invoice", "due", "expected"),
    [
        (date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 31)),  # agreed 30 days
        (date(2026, 1, 1), date(2026, 3, 31), date(2026, 2, 15)),  # agreed 89 days: capped at 45
        (date(2026, 1, 1), date(2026, 2, 15), date(2026, 2, 15)),  # exactly 45
    ],
)
def test_appointed_day_is_the_due_date_or_45_days(invoice, due, expected):
    assert appointed_day(invoice, due) == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 1, 31), 0),  # the appointed day itself: nothing yet
        (date(2026, 2, 15), 813),  # 15 days: 100000 * 1.625% * 15/30 = 812.5, rounded half up
        (date(2026, 2, 28), 1625),  # one whole month
        (date(2026, 3, 31), 3276),  # two months compound: 100000 * (1.01625^2 - 1) = 3276.4
        (date(2027, 1, 31), 21341),  # twelve months: 100000 * (1.01625^12 - 1) = 21340.76
    ],
)
def test_compound_interest_with_monthly_rests(on, expected):
    assert interest_paise(100000, date(2026, 1, 1), date(2026, 1, 31), on, RATE) == expected


def test_nothing_owed_without_outstanding_or_rate():
    assert interest_paise(0, date(2026, 1, 1), date(2026, 1, 2), date(2026, 6, 1), RATE) == 0
    assert (
        interest_paise(5000, date(2026, 1, 1), date(2026, 1, 2), date(2026, 6, 1), Decimal(0)) == 0
    )


@given(
    amount=st.integers(min_value=1, max_value=10**12),
    days_late=st.integers(min_value=0, max_value=3000),
    more=st.integers(min_value=1, max_value=400),
)
def test_interest_never_negative_and_grows_with_time(amount, days_late, more):
    invoice, due = date(2024, 1, 1), date(2024, 2, 1)
    start = date.fromordinal(due.toordinal() + days_late)
    later = date.fromordinal(start.toordinal() + more)
    earlier_interest = interest_paise(amount, invoice, due, start, RATE)
    assert 0 <= earlier_interest <= interest_paise(amount, invoice, due, later, RATE)
