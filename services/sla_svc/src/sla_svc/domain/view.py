"""The `sla` part of the customer details view and the list's `sla_health` (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from msc_contracts.vocabulary import SEVERITIES, TERMINAL_JOB_STATUSES, Health
from sla_svc.domain.backup_sets import BackupSet, RpoJudge
from sla_svc.domain.figures import Counts, HourDetail
from sla_svc.domain.latest import JobSummary
from sla_svc.domain.prepared import HourTotals, PreparedSla, SetQuery
from sla_svc.domain.time_keys import from_instant, hour_key, hour_start, instant

WINDOWS: Mapping[str, dt.timedelta] = {
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
}
"""The contract's windows (`msc_contracts.vocabulary.Window`) and their lengths."""
LONGEST_WINDOW = max(WINDOWS.values())


@dataclass(frozen=True)
class Window:
    """`(as_of - length, as_of]` and the two hours it cuts through."""

    name: str
    as_of: dt.datetime

    @property
    def start(self) -> dt.datetime:
        """The excluded lower bound."""
        return self.as_of - WINDOWS[self.name]

    @cached_property
    def edge_hours(self) -> tuple[str, str]:
        """The partial first hour and the hour of `as_of`; their details are needed."""
        return hour_key(self.start), hour_key(self.as_of)

    @cached_property
    def bounds(self) -> tuple[str, str]:
        """The instant keys of `start` (excluded) and `as_of` (included)."""
        return instant(self.start), instant(self.as_of)


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
    last_failure: JobSummary | None
    open_alerts: int


@dataclass(frozen=True)
class SlaView:
    """The `sla` part of the details view."""

    window: str
    as_of: dt.datetime
    backup_jobs: JobCounts
    restore_jobs: JobCounts
    open_alerts: Counts
    acknowledged_alerts: Counts
    raised_in_window: Counts
    sets_total: int
    rpo_breached: int
    never_backed_up: int
    rows: list[BackupSetRow]
    next_cursor: str | None
    valid_until: dt.datetime
    """Until this instant (excluded) the view is the same but for `as_of`, as long as the
    customer's figures do not change."""


def window_counts(
    totals: HourTotals, details: Mapping[str, Mapping[str, Counts]], window: Window
) -> Counts:
    """Counters summed over the window: whole hours from their totals, the edges per instant."""
    first, last = window.edge_hours
    low, high = window.bounds
    total = totals.between(first, last)
    for hour in {first, last}:
        for moment, counts in details.get(hour, {}).items():
            if low < moment <= high:
                _add_all(total, counts)
    return total


def job_counts(counts: Counts, job_type: str) -> JobCounts:
    """The job statistics of one type."""
    by_status = {s: counts.get(f"{job_type}:{s}", 0) for s in TERMINAL_JOB_STATUSES}
    good = by_status["successful"] + by_status["successful_with_errors"]
    rated = good + by_status["failed"]
    return JobCounts(
        total=sum(by_status.values()),
        success_rate=good / rated if rated else None,
        **by_status,
    )


def sla_view(
    sla: PreparedSla,
    details: Mapping[str, HourDetail],
    window: Window,
    after: str | None = None,
    limit: int = 100,
    query: SetQuery = SetQuery(),
) -> SlaView:
    """The SLA tab of a customer as of `window.as_of`, with one page of backup sets."""
    jobs = window_counts(sla.job_totals, {h: d.jobs for h, d in details.items()}, window)
    alerts = window_counts(sla.alert_totals, {h: d.alerts for h, d in details.items()}, window)
    judge = RpoJudge(window.as_of)
    page, next_cursor = sla.listing.page(after, limit, query, judge)
    return SlaView(
        window=window.name,
        as_of=window.as_of,
        backup_jobs=job_counts(jobs, "backup"),
        restore_jobs=job_counts(jobs, "restore"),
        open_alerts={s: max(sla.customer.open_alerts.get(s, 0), 0) for s in SEVERITIES},
        acknowledged_alerts={
            s: max(sla.customer.acknowledged_alerts.get(s, 0), 0) for s in SEVERITIES
        },
        raised_in_window={s: alerts.get(s, 0) for s in SEVERITIES},
        sets_total=sla.listing.total,
        rpo_breached=sla.listing.breached(judge),
        never_backed_up=sla.listing.never_backed_up,
        rows=[_row(sla.customer.sets[k.backup_set_id], judge) for k in page],
        next_cursor=next_cursor,
        valid_until=_valid_until(sla, details, window, judge),
    )


def sla_health(sla: PreparedSla, details: Mapping[str, HourDetail], as_of: dt.datetime) -> Health:
    """The customers list's health badge: the first of critical, warning, unknown, ok."""
    open_alerts = sla.customer.open_alerts
    if open_alerts.get("critical", 0) > 0 or sla.listing.breached(RpoJudge(as_of)):
        return "critical"
    week = Window("7d", as_of)
    jobs = window_counts(sla.job_totals, {h: d.jobs for h, d in details.items()}, week)
    rate = job_counts(jobs, "backup").success_rate
    if open_alerts.get("warning", 0) > 0 or (rate is not None and rate < 0.95):
        return "warning"
    if not sla.listing.total:
        return "unknown"
    return "ok"


def _valid_until(
    sla: PreparedSla, details: Mapping[str, HourDetail], window: Window, judge: RpoJudge
) -> dt.datetime:
    """The first instant at which a view of these figures may differ from the one as of
    `window.as_of`: the next hour (whole hours move in and out of the window), an instant of
    an edge hour entering or leaving the window, or a set passing its RPO."""
    first, last = window.edge_hours
    low, high = window.bounds
    due = [hour_start(last) + dt.timedelta(hours=1)]
    if leaving := _first_after(details.get(first), low):
        due.append(from_instant(leaving) + WINDOWS[window.name])
    if entering := _first_after(details.get(last), high):
        due.append(from_instant(entering))
    if breach := sla.listing.next_breach(judge):
        due.append(breach)
    return min(due)


def _first_after(detail: HourDetail | None, bound: str) -> str | None:
    if detail is None:
        return None
    return min((m for m in (*detail.jobs, *detail.alerts) if m > bound), default=None)


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
        last_failure=backup_set.last_failure,
        open_alerts=backup_set.open_alerts,
    )


def _add_all(total: Counts, counts: Counts) -> None:
    for key, value in counts.items():
        total[key] = total.get(key, 0) + value
