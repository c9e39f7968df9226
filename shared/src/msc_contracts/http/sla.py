"""The SLA's HTTP bodies and answers (docs/CONTRACT.md section 3): the SLA tab, the open
alerts and their acknowledgement, a set's job history, and the health badges of a page of
customers. sla_svc renders its answers through them; the gateway documents them and forwards.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from msc_contracts.fields import Id
from msc_contracts.vocabulary import Health, JobType, RpoStatus, Severity, Window


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
    acknowledged: SeverityCounts = Field(
        description="Open alerts someone has acknowledged (also counted in `open`)."
    )
    raised_in_window: SeverityCounts


class JobPublic(BaseModel):
    """`last_backup` / `last_restore`."""

    job_id: str
    status: str
    started_at: str | None
    ended_at: str | None


class FailurePublic(BaseModel):
    """`last_failure` of a backup set: the job and the agent's error (its message cut at 300
    characters)."""

    job_id: str
    ended_at: str | None
    error_code: str | None
    error_message: str | None


class BackupSetPublic(BaseModel):
    """One row of the backup set table."""

    backup_set_id: str
    name: str | None
    workload: str | None
    rpo_hours: int
    rpo_status: RpoStatus
    last_successful_backup_at: str | None
    last_backup: JobPublic | None
    last_restore: JobPublic | None
    last_failure: FailurePublic | None = Field(
        description="The latest backup job that failed, with the agent's error."
    )
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


class AcknowledgementPublic(BaseModel):
    """Who acknowledged an alert (the `sub` of their token) and when."""

    by: str
    at: str = Field(examples=["2026-11-28T05:00:00Z"])


class AlertPublic(BaseModel):
    """One open alert."""

    alert_id: str
    severity: Severity
    alert_type: str | None
    message: str | None
    backup_set_id: str | None
    raised_at: str = Field(examples=["2026-11-28T04:12:09Z"])
    acknowledged: AcknowledgementPublic | None


class AlertPage(BaseModel):
    """Open alerts, newest raised first."""

    items: list[AlertPublic]
    next_cursor: str | None


class AcknowledgementCreate(BaseModel):
    """`POST .../alerts/acknowledgements` body: the open alert to acknowledge."""

    model_config = ConfigDict(extra="forbid")

    alert_id: Id = Field(description="The alert, as its events name it.")


class AcknowledgementAccepted(BaseModel):
    """The acknowledgement, accepted (applied within moments) or kept from before."""

    alert_id: str
    acknowledged: AcknowledgementPublic


class JobHistoryEntry(BaseModel):
    """One job of a backup set's history."""

    job_id: str
    job_type: JobType
    status: str
    started_at: str | None
    ended_at: str | None
    bytes_transferred: int
    error_code: str | None
    error_message: str | None


class JobHistory(BaseModel):
    """The latest 20 jobs of a backup set, newest first (by `started_at`, else the job's
    latest event)."""

    backup_set_id: str
    items: list[JobHistoryEntry]
