"""The SLA view as the contract's JSON, each view kept by the service rendered once.

A view the service answers again from its read cache differs from the one first computed
only in `as_of` (`read_cache.Snapshot.view`), and shares that view's `rows` list, so the
list identifies its rendering: everything but `as_of` is written once, and `as_of` is put
in front of it on each answer. Rendering was half of the CPU of a view of a large customer.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

import pydantic_core

from sla_svc.domain.backup_sets import JobSummary
from sla_svc.domain.time_keys import rfc3339
from sla_svc.domain.view import BackupSetRow, SlaView


class RenderedViews:
    """The JSON of the `capacity` views rendered last."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._bodies: OrderedDict[int, tuple[list[BackupSetRow], bytes]] = OrderedDict()

    def body(self, view: SlaView) -> bytes:
        """The view as JSON."""
        key = id(view.rows)
        kept = self._bodies.get(key)
        if kept is not None and kept[0] is view.rows:
            self._bodies.move_to_end(key)
            rest = kept[1]
        else:
            rest = pydantic_core.to_json(public(view))
            if self._capacity > 0:
                self._bodies[key] = (view.rows, rest)  # the list is held: its id stays unique
                if len(self._bodies) > self._capacity:
                    self._bodies.popitem(last=False)
        return b'{"as_of":"' + as_of(view).encode() + b'",' + rest[1:]


def as_of(view: SlaView) -> str:
    """The view's `as_of` as the contract writes it."""
    return view.as_of.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def public(view: SlaView) -> dict[str, Any]:
    """The contract's shape of the SLA view, but for `as_of`."""
    return {
        "window": view.window,
        "backup_jobs": vars(view.backup_jobs),
        "restore_jobs": vars(view.restore_jobs),
        "alerts": {"open": view.open_alerts, "raised_in_window": view.raised_in_window},
        "backup_sets": {
            "total": view.sets_total,
            "rpo_breached": view.rpo_breached,
            "never_backed_up": view.never_backed_up,
            "items": [
                {
                    "backup_set_id": row.backup_set_id,
                    "name": row.name,
                    "workload": row.workload,
                    "rpo_hours": row.rpo_hours,
                    "rpo_status": row.rpo_status,
                    "last_successful_backup_at": _time(row.last_successful_backup_at),
                    "last_backup": _job(row.last_backup),
                    "last_restore": _job(row.last_restore),
                    "open_alerts": row.open_alerts,
                }
                for row in view.rows
            ],
            "next_cursor": view.next_cursor,
        },
    }


def _time(key: str | None) -> str | None:
    return rfc3339(key) if key else None


def _job(job: JobSummary | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        "job_id": job.job_id,
        "status": job.status,
        "started_at": _time(job.started_at),
        "ended_at": _time(job.ended_at),
    }
