"""Prepared figures answer like the plain sums and scans they replace."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from services.sla_svc.tests.history import latest_jobs
from sla_svc.domain.backup_sets import BackupSet, Presence, RpoJudge
from sla_svc.domain.figures import Counts
from sla_svc.domain.prepared import HourTotals, InvalidCursor, SetListing, SetQuery
from sla_svc.domain.time_keys import hour_key, instant

NOW = dt.datetime(2026, 11, 28, 5, 0, 0, tzinfo=dt.UTC)


def test_hour_totals_equal_the_sum_of_the_hours_strictly_between() -> None:
    rng = random.Random(5)
    hours: dict[str, Counts] = {}
    for h in rng.sample(range(800), 300):
        hours[hour_key(NOW - dt.timedelta(hours=h))] = {
            k: rng.randint(1, 9) for k in rng.sample(["a", "b", "c"], rng.randint(1, 3))
        }
    totals = HourTotals(hours)
    for _ in range(200):
        first, last = sorted(hour_key(NOW - dt.timedelta(hours=rng.randint(-5, 805))) for _ in "ab")
        expected: Counts = {}
        for hour, counts in hours.items():
            if first < hour < last:
                for k, v in counts.items():
                    expected[k] = expected.get(k, 0) + v
        assert totals.between(first, last) == expected
    assert totals.between(last, first) == {}
    assert HourTotals({}).between(first, last) == {}


def test_listing_counts_breaches_and_pages_like_a_scan() -> None:
    rng = random.Random(9)
    sets = []
    for i in range(300):
        successes = {
            f"j{i}-{n}": instant(NOW - dt.timedelta(minutes=rng.randint(0, 3000)))
            for n in range(rng.randint(0, 2))
        }
        presence = Presence("o", rng.random() < 0.1, None, None, rng.choice([1, 6, 24, 48]))
        sets.append(
            BackupSet(f"bs-{rng.randint(0, 10**6):07d}", presence, latest=latest_jobs(successes))
        )
    listing = SetListing(s.key for s in sets)
    listed = sorted((s for s in sets if s.listed), key=lambda s: s.backup_set_id)
    for minutes in (0, 59, 600, 6000):
        judge = RpoJudge(NOW + dt.timedelta(minutes=minutes))
        statuses = [judge.status(s) for s in listed]
        assert listing.breached(judge) == statuses.count("breached")
    assert listing.never_backed_up == statuses.count("never")
    assert listing.total == len(listed)
    seen, cursor = [], None
    while True:
        page, cursor = listing.page(cursor, 17, SetQuery(), RpoJudge(NOW))
        seen += page
        if cursor is None:
            break
    assert seen == [s.key for s in listed]
    assert listing.page("bs-0500000", 1000, SetQuery(), RpoJudge(NOW))[0] == [
        s.key for s in listed if s.backup_set_id > "bs-0500000"
    ]


def test_every_order_and_filter_pages_like_sorting_the_whole_table() -> None:
    rng = random.Random(3)
    sets = []
    for i in range(200):
        successes = {
            f"j{i}": instant(NOW - dt.timedelta(minutes=rng.randint(0, 3000)))
            for _ in range(rng.randint(0, 1))
        }
        name = rng.choice([None, "Files", "files", "SQL", "Mail", f"Set {i}"])
        presence = Presence("o", False, name, None, rng.choice([1, 24, 48]))
        sets.append(BackupSet(f"bs-{i:04d}", presence, latest=latest_jobs(successes)))
    listing = SetListing(s.key for s in sets)
    judge = RpoJudge(NOW)
    risk = {"breached": 0, "never": 1, "ok": 2}
    expected_keys = {
        "backup_set_id": lambda s: (s.backup_set_id,),
        "name": lambda s: (s.name is None, (s.name or "").casefold(), s.backup_set_id),
        "rpo_status": lambda s: (
            risk[judge.status(s)],
            s.last_successful_backup_at or "",
            s.backup_set_id,
        ),
        "last_successful_backup_at": lambda s: (s.last_successful_backup_at or "", s.backup_set_id),
    }
    for order, key in expected_keys.items():
        for descending in (False, True):
            for status in (None, "breached", "never", "ok"):
                query = SetQuery(order, descending, status)  # type: ignore[arg-type]
                wanted = [s for s in sets if status is None or judge.status(s) == status]
                wanted.sort(key=key, reverse=descending)
                seen, cursor = [], None
                while True:
                    page, cursor = listing.page(cursor, 7, query, judge)
                    seen += page
                    if cursor is None:
                        break
                assert seen == [s.key for s in wanted], (order, descending, status)
    with pytest.raises(InvalidCursor):
        listing.page("bs-0001", 7, SetQuery("name"), judge)
