"""Response bodies of the SLA API: the `sla` part of CONTRACT.md's details view."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Window = Literal["24h", "7d", "30d"]
Health = Literal["ok", "warning", "critical", "unknown"]


class JobCountsPublic(BaseModel):
    """Terminal jobs of one type that ended in the window."""

    total: int
    successful: int
    successful_with_errors: int
    failed: int
    canceled: int
    success_rate: float | None


class SeverityCounts(BaseModel):
    """Alerts by severity."""

    critical: int
    warning: int
    info: int


class AlertsPublic(BaseModel):
    """Open alerts and alerts raised in the window."""

    open: SeverityCounts
    raised_in_window: SeverityCounts


class JobPublic(BaseModel):
    """`last_backup` / `last_restore`."""

    job_id: str
    status: str
    started_at: str | None
    ended_at: str | None


class BackupSetPublic(BaseModel):
    """One row of the backup set table."""

    backup_set_id: str
    name: str | None
    workload: str | None
    rpo_hours: int
    rpo_status: Literal["ok", "breached", "never"]
    last_successful_backup_at: str | None
    last_backup: JobPublic | None
    last_restore: JobPublic | None
    open_alerts: int


class BackupSetsPublic(BaseModel):
    """The backup set table, one page of it."""

    total: int
    rpo_breached: int
    never_backed_up: int
    items: list[BackupSetPublic]
    next_cursor: str | None


class SlaPublic(BaseModel):
    """The SLA tab."""

    window: Window
    as_of: str = Field(examples=["2026-11-28T05:00:00Z"])
    backup_jobs: JobCountsPublic
    restore_jobs: JobCountsPublic
    alerts: AlertsPublic
    backup_sets: BackupSetsPublic


class HealthQuery(BaseModel):
    """`POST /sla-health` body."""

    customer_ids: list[str] = Field(max_length=500)


class HealthPublic(BaseModel):
    """`sla_health` of each customer asked about (deleted customers are left out)."""

    items: dict[str, Health]


def as_of_text(value: dt.datetime) -> str:
    """RFC 3339 UTC, whole seconds."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
