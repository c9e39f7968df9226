"""The credits the list holds per customer sum like the details view's consumption, on
any days, as the window moves on with the date."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from customer_svc.domain.consumption import DailyUsage, consumption
from customer_svc.domain.recent_credits import RecentCredits

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize("seed", range(200))
def test_held_credits_are_the_consumption_of_the_window(seed: int) -> None:
    rng = random.Random(seed)
    days = [
        DailyUsage(TODAY - dt.timedelta(days=offset), round(rng.uniform(0, 500), 3), 1)
        for offset in rng.sample(range(-5, 120), rng.randint(0, 40))
    ]
    held = RecentCredits()
    held.put("c-1", days)
    for later in (0, 1, 30, 100):
        today = TODAY + dt.timedelta(days=later)
        assert held.of(["c-1"], today) == {"c-1": consumption(days, today).credits_consumed}


def test_put_replaces_and_no_days_forgets() -> None:
    held = RecentCredits()
    held.put("c-1", [DailyUsage(TODAY, 5, 1), DailyUsage(TODAY - dt.timedelta(days=3), 2, 1)])
    held.put("c-2", [DailyUsage(TODAY, 1, 1)])
    assert held.of(["c-1", "c-2", "c-3"], TODAY) == {"c-1": 7, "c-2": 1, "c-3": 0}
    held.put("c-1", [DailyUsage(TODAY, 4, 1)])
    held.put("c-2", [])
    assert held.of(["c-1", "c-2"], TODAY) == {"c-1": 4, "c-2": 0}
    assert len(held) == 1
