"""The words of the contract (docs/CONTRACT.md): SLA windows, health badges, severities,
RPO statuses, job types and statuses, plan badges, audit actions. The event and HTTP models
(`msc_contracts.events`, `msc_contracts.http`) and the services' domains are written in
them; plain types only, so a domain may import them."""

from __future__ import annotations

from typing import Final, Literal, get_args

Window = Literal["24h", "7d", "30d"]
Health = Literal["ok", "warning", "critical", "unknown"]
Severity = Literal["critical", "warning", "info"]
"""Of an alert, in the order the SLA tab shows them (`SEVERITIES`)."""
SEVERITIES: Final[tuple[str, ...]] = get_args(Severity)
SetSort = Literal[
    "backup_set_id",
    "-backup_set_id",
    "name",
    "-name",
    "rpo_status",
    "-rpo_status",
    "last_successful_backup_at",
    "-last_successful_backup_at",
]
"""Orders of the backup set table; `-` reverses."""
RpoStatus = Literal["ok", "breached", "never"]
JobType = Literal["backup", "restore"]
JobStatus = Literal[
    "queued", "running", "successful", "successful_with_errors", "failed", "canceled"
]
TERMINAL_JOB_STATUSES: Final[tuple[str, ...]] = (
    "successful",
    "successful_with_errors",
    "failed",
    "canceled",
)
"""The statuses a job ends in, in the order the SLA tab counts them."""
SUCCESSFUL_JOB_STATUSES: Final[tuple[str, ...]] = ("successful", "successful_with_errors")
PlanBadge = Literal["expired", "expires_soon", "credits_over_80", "credits_over_100"]
"""The plan expires within 30 days or has; the credits are over 80 % / 100 % of the quota."""
ActivityAction = Literal[
    "created",
    "account_updated",
    "service_plan_updated",
    "contact_added",
    "contact_updated",
    "contact_deleted",
    "groups_updated",
    "deleted",
]
"""What a change to a customer did, as its audit trail names it."""
