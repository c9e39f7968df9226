"""The usage held in memory answers like the stored days it was given: the same
consumption block and the same credits for the list, on any days, as the window moves
on with the date."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from customer_svc.domain.consumption import DailyUsage, consumption, window_start
from customer_svc.domain.recent_usage import RecentUsage

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize("seed", range(200))
def test_held_usage_answers_as_the_days_it_was_given(seed: int) -> None:
    rng = random.Random(seed)
    days = [
        DailyUsage(
            TODAY - dt.timedelta(days=offset),
            round(rng.uniform(0, 500), 3),
            rng.choice([0, rng.randrange(10**12)]),
        )
        for offset in rng.sample(range(-5, 120), rng.randint(0, 40))
    ]
    held = RecentUsage()
    held.put("c-1", days)
    for later in (0, 1, 30, 100):
        today = TODAY + dt.timedelta(days=later)
        expected = consumption(days, today)
        assert consumption(held.days("c-1", window_start(today)), today) == expected
        assert held.credits(["c-1"], today) == {"c-1": expected.credits_consumed}


def test_put_replaces_and_no_days_forgets() -> None:
    held = RecentUsage()
    held.put("c-1", [DailyUsage(TODAY, 5, 1), DailyUsage(TODAY - dt.timedelta(days=3), 2, 0)])
    held.put("c-2", [DailyUsage(TODAY, 1, 1)])
    assert held.credits(["c-1", "c-2", "c-3"], TODAY) == {"c-1": 7, "c-2": 1, "c-3": 0}
    assert held.days("c-1", TODAY - dt.timedelta(days=3)) == [
        DailyUsage(TODAY - dt.timedelta(days=3), 2, 0),  # a day reported with 0 storage
        DailyUsage(TODAY, 5, 1),
    ]
    held.put("c-1", [DailyUsage(TODAY, 4, 1)])
    held.put("c-2", [])
    assert held.credits(["c-1", "c-2"], TODAY) == {"c-1": 4, "c-2": 0}
    assert held.days("c-2", TODAY) == []
    assert len(held) == 1
