"""The `sla` part of the customer details view and the list's `sla_health` (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sla_svc.domain.backup_sets import BackupSet, JobSummary, RpoJudge
from sla_svc.domain.figures import Counts, CustomerSla, HourDetail
from sla_svc.domain.time_keys import hour_key, instant

WINDOWS: Mapping[str, dt.timedelta] = {
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
}
LONGEST_WINDOW = max(WINDOWS.values())
TERMINAL_COUNTS = ("successful", "successful_with_errors", "failed", "canceled")
SEVERITIES = ("critical", "warning", "info")
Health = Literal["ok", "warning", "critical", "unknown"]


@dataclass(frozen=True)
class Window:
    """`(as_of - length, as_of]` and the two hours it cuts through."""

    name: str
    as_of: dt.datetime

    @property
    def start(self) -> dt.datetime:
        """The excluded lower bound."""
        return self.as_of - WINDOWS[self.name]

    @property
    def edge_hours(self) -> tuple[str, str]:
        """The partial first hour and the hour of `as_of`; their details are needed."""
        return hour_key(self.start), hour_key(self.as_of)


@dataclass(frozen=True)
class JobCounts:
    """Terminal jobs of one type that ended in the window."""

    total: int
    successful: int
    successful_with_errors: int
    failed: int
    canceled: int
    success_rate: float | None


@dataclass(frozen=True)
class BackupSetRow:
    """One row of the backup set table."""

    backup_set_id: str
    name: str | None
    workload: str | None
    rpo_hours: int
    rpo_status: str
    last_successful_backup_at: str | None
    last_backup: JobSummary | None
    last_restore: JobSummary | None
    open_alerts: int


@dataclass(frozen=True)
class SlaView:
    """The `sla` part of the details view."""

    window: str
    as_of: dt.datetime
    backup_jobs: JobCounts
    restore_jobs: JobCounts
    open_alerts: Counts
    raised_in_window: Counts
    sets_total: int
    rpo_breached: int
    never_backed_up: int
    rows: list[BackupSetRow]
    next_cursor: str | None


def window_counts(
    hours: Mapping[str, Counts],
    details: Mapping[str, Mapping[str, Counts]],
    window: Window,
) -> Counts:
    """Counters summed over the window: whole hours from buckets, the edges per instant."""
    first, last = window.edge_hours
    low, high = instant(window.start), instant(window.as_of)
    total: Counts = {}
    for hour, counts in hours.items():
        if first < hour < last:
            _add_all(total, counts)
    for hour in {first, last}:
        for moment, counts in details.get(hour, {}).items():
            if low < moment <= high:
                _add_all(total, counts)
    return total


def job_counts(counts: Counts, job_type: str) -> JobCounts:
    """The job statistics of one type."""
    by_status = {s: counts.get(f"{job_type}:{s}", 0) for s in TERMINAL_COUNTS}
    good = by_status["successful"] + by_status["successful_with_errors"]
    rated = good + by_status["failed"]
    return JobCounts(
        total=sum(by_status.values()),
        success_rate=good / rated if rated else None,
        **by_status,
    )


def sla_view(
    customer: CustomerSla,
    details: Mapping[str, HourDetail],
    window: Window,
    after: str | None = None,
    limit: int = 100,
) -> SlaView:
    """The SLA tab of a customer as of `window.as_of`, with one page of backup sets."""
    jobs = window_counts(customer.job_hours, {h: d.jobs for h, d in details.items()}, window)
    alerts = window_counts(customer.alert_hours, {h: d.alerts for h, d in details.items()}, window)
    listed = sorted((s for s in customer.sets.values() if s.listed), key=lambda s: s.backup_set_id)
    judge = RpoJudge(window.as_of)
    statuses = [judge.status(s) for s in listed]
    page = [s for s in listed if after is None or s.backup_set_id > after][: limit + 1]
    more = len(page) > limit
    page = page[:limit]
    return SlaView(
        window=window.name,
        as_of=window.as_of,
        backup_jobs=job_counts(jobs, "backup"),
        restore_jobs=job_counts(jobs, "restore"),
        open_alerts={s: max(customer.open_alerts.get(s, 0), 0) for s in SEVERITIES},
        raised_in_window={s: alerts.get(s, 0) for s in SEVERITIES},
        sets_total=len(listed),
        rpo_breached=statuses.count("breached"),
        never_backed_up=statuses.count("never"),
        rows=[_row(s, judge) for s in page],
        next_cursor=page[-1].backup_set_id if more and page else None,
    )


def sla_health(
    customer: CustomerSla, details: Mapping[str, HourDetail], as_of: dt.datetime
) -> Health:
    """The customers list's health badge: the first of critical, warning, unknown, ok."""
    listed = [s for s in customer.sets.values() if s.listed]
    judge = RpoJudge(as_of)
    if customer.open_alerts.get("critical", 0) > 0 or any(
        judge.status(s) == "breached" for s in listed
    ):
        return "critical"
    week = Window("7d", as_of)
    jobs = window_counts(customer.job_hours, {h: d.jobs for h, d in details.items()}, week)
    rate = job_counts(jobs, "backup").success_rate
    if customer.open_alerts.get("warning", 0) > 0 or (rate is not None and rate < 0.95):
        return "warning"
    if not listed:
        return "unknown"
    return "ok"


def _row(backup_set: BackupSet, judge: RpoJudge) -> BackupSetRow:
    return BackupSetRow(
        backup_set_id=backup_set.backup_set_id,
        name=backup_set.name,
        workload=backup_set.workload,
        rpo_hours=backup_set.rpo_hours,
        rpo_status=judge.status(backup_set),
        last_successful_backup_at=backup_set.last_successful_backup_at,
        last_backup=backup_set.last_backup,
        last_restore=backup_set.last_restore,
        open_alerts=backup_set.open_alerts,
    )


def _add_all(total: Counts, counts: Counts) -> None:
    for key, value in counts.items():
        total[key] = total.get(key, 0) + value
