"""Builders of agent event histories for the SLA tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

from sla_svc.domain.alerts import Acknowledged, Raised
from sla_svc.domain.backup_sets import Presence
from sla_svc.domain.ingest import (
    AlertAcknowledged,
    AlertCleared,
    AlertRaised,
    Change,
    SetChanged,
)
from sla_svc.domain.jobs import JobSnapshot
from sla_svc.domain.latest import JobSummary, Latest, LatestJobs
from sla_svc.domain.time_keys import event_order, instant

NOW = dt.datetime(2026, 11, 28, 5, 0, 0, tzinfo=dt.UTC)
_ids = itertools.count()


def at(hours_ago: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours_ago)


def job(
    job_id: str,
    status: str,
    time_hours_ago: float,
    *,
    set_id: str = "bs-1",
    job_type: str = "backup",
    started_hours_ago: float | None = None,
    ended_hours_ago: float | None = None,
    event_id: str | None = None,
    error: tuple[str, str] | None = None,
) -> JobSnapshot:
    ended = (
        ended_hours_ago
        if ended_hours_ago is not None
        else (
            time_hours_ago
            if status in {"successful", "successful_with_errors", "failed", "canceled"}
            else None
        )
    )
    return JobSnapshot(
        customer_id="",
        job_id=job_id,
        backup_set_id=set_id,
        job_type=job_type,
        status=status,
        time=instant(at(time_hours_ago)),
        event_id=event_id or f"e{next(_ids):06d}",
        started_at=instant(at(started_hours_ago)) if started_hours_ago is not None else None,
        ended_at=instant(at(ended)) if ended is not None else None,
        error_code=error[0] if error else None,
        error_message=error[1] if error else None,
    )


def upsert(
    set_id: str, hours_ago: float, name: str = "HQ", rpo: int = 24, eid: str | None = None
) -> SetChanged:
    order = event_order(at(hours_ago), eid or f"e{next(_ids):06d}")
    return SetChanged(set_id, Presence(order, False, name, "File Server", rpo), customer_id="")


def delete_set(set_id: str, hours_ago: float, eid: str | None = None) -> SetChanged:
    order = event_order(at(hours_ago), eid or f"e{next(_ids):06d}")
    return SetChanged(set_id, Presence(order, True), customer_id="")


def raise_(
    alert_id: str, severity: str, hours_ago: float, set_id: str | None = None
) -> AlertRaised:
    when = at(hours_ago)
    order = event_order(when, f"e{next(_ids):06d}")
    return AlertRaised(alert_id, Raised(order, instant(when), severity, set_id), customer_id="")


def clear(alert_id: str) -> AlertCleared:
    return AlertCleared(alert_id, customer_id="")


def acknowledge(alert_id: str, by: str, hours_ago: float) -> AlertAcknowledged:
    when = at(hours_ago)
    order = event_order(when, f"e{next(_ids):06d}")
    return AlertAcknowledged(alert_id, Acknowledged(order, instant(when), by), customer_id="")


def deliver(customer_id: str, changes: list[Change]) -> list[Change]:
    """The changes as events of one customer (the builders above address none)."""
    return [replace(change, customer_id=customer_id) for change in changes]


def latest_jobs(
    successes: dict[str, str] | None = None,
    last_backup: JobSummary | None = None,
    last_failure: JobSummary | None = None,
) -> LatestJobs:
    """A set's latest jobs as given: its successful backups (job id: `ended_at`), its last
    backup and last failure."""

    def one(summary: JobSummary | None) -> Latest:
        return Latest(((summary.started_at or "", summary),)) if summary else Latest()

    done = sorted((successes or {}).items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
    top = tuple((f"{e}|{j}", JobSummary(j, "successful", None, e)) for j, e in done)
    return LatestJobs(
        backup=one(last_backup), failure=one(last_failure), success=Latest(top[:3], None)
    )
