"""Credits and storage consumed over the last 90 UTC days (CONTRACT.md, details view)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

WINDOW_DAYS = 90


@dataclass(frozen=True)
class DailyUsage:
    """Usage of one customer on one UTC day, as last reported (rule 4)."""

    date: dt.date
    credits_consumed: float
    storage_bytes: int


@dataclass(frozen=True)
class UsageReport:
    """One usage report of a customer, as an agent sent it."""

    customer_id: str
    usage: DailyUsage
    reported_at: dt.datetime
    event_id: str

    def is_newer_than(self, other: UsageReport) -> bool:
        """Rule 4's order: the later `time` (instants, whatever their offsets), on a tie
        the larger event id."""
        return (self.reported_at, self.event_id) > (other.reported_at, other.event_id)


def latest_reports(
    held: Mapping[dt.date, UsageReport], reports: Iterable[UsageReport]
) -> tuple[dict[dt.date, UsageReport], int]:
    """Rule 4 for one customer: its usage for a date is the report with the latest `time`,
    ties broken by the larger event id; a newer report replaces the day, never adds to it,
    so applying a report twice changes nothing.

    `held` is the report each day holds now (those the reports name suffice). Returns the
    days the reports replaced or added, with the report each now holds, and how many of
    the reports took effect (each newer, in its turn, than what its day held).
    """
    changed: dict[dt.date, UsageReport] = {}
    took_effect = 0
    for report in reports:
        date = report.usage.date
        current = changed.get(date) or held.get(date)
        if current is None or report.is_newer_than(current):
            changed[date] = report
            took_effect += 1
    return changed, took_effect


@dataclass(frozen=True)
class Consumption:
    """The consumption block of the details view."""

    window_days: int
    credits_consumed: float
    storage_consumed_bytes: int
    daily: tuple[DailyUsage, ...]


def window_start(today: dt.date) -> dt.date:
    """The first day of the 90-day window that ends with `today` (today included)."""
    return today - dt.timedelta(days=WINDOW_DAYS - 1)


def credits_sum(credits: Iterable[float]) -> float:
    """Credits added up as the window reports them (to the millionth, without float noise)."""
    return round(sum(credits), 6)


def consumption(days: list[DailyUsage], today: dt.date) -> Consumption:
    """Sum credits over the window; storage is the latest day's figure (0 without any day)."""
    first = window_start(today)
    inside = sorted((d for d in days if first <= d.date <= today), key=lambda d: d.date)
    return Consumption(
        window_days=WINDOW_DAYS,
        credits_consumed=credits_sum(d.credits_consumed for d in inside),
        storage_consumed_bytes=inside[-1].storage_bytes if inside else 0,
        daily=tuple(inside),
    )
