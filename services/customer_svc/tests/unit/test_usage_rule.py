"""Rule 4: a day's usage is the latest report's, by instant then event id."""

from __future__ import annotations

import datetime as dt

from customer_svc.domain.consumption import DailyUsage, UsageReport, latest_reports

DAY = dt.date(2026, 11, 27)


def at(instant: str, credits: float, event_id: str) -> UsageReport:
    return UsageReport(
        "c-1", DailyUsage(DAY, credits, 1), dt.datetime.fromisoformat(instant), event_id
    )


def test_reports_are_ordered_as_instants_whatever_their_offsets() -> None:
    earlier = at("2026-11-27T06:00:00+01:00", 1, "z")  # 05:00 UTC, though it reads later
    later = at("2026-11-27T05:30:00+00:00", 2, "a")
    changed, took_effect = latest_reports({}, [later, earlier])
    assert changed == {DAY: later} and took_effect == 1


def test_a_tie_goes_to_the_larger_id_and_a_repeat_changes_nothing() -> None:
    held = at("2026-11-27T05:00:00+00:00", 1, "b")
    same_instant = at("2026-11-27T07:00:00+02:00", 2, "c")
    changed, took_effect = latest_reports({DAY: held}, [same_instant, held])
    assert changed == {DAY: same_instant} and took_effect == 1
    assert latest_reports({DAY: same_instant}, [same_instant, held]) == ({}, 0)
