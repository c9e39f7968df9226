"""The words of the HTTP contract (docs/CONTRACT.md): SLA windows, health badges, severities,
RPO statuses, job types, plan badges, audit actions. The HTTP
models (`msc_contracts.http`) are written in them."""

from __future__ import annotations

from typing import Literal

Window = Literal["24h", "7d", "30d"]
Health = Literal["ok", "warning", "critical", "unknown"]
Severity = Literal["critical", "warning", "info"]
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
PlanBadge = Literal["expired", "expires_soon", "credits_over_80", "credits_over_100"]
"""The plan expires within 30 days or has; the credits are over 80 % / 100 % of the quota."""
ActivityAction = Literal[
    "created",
    "account_updated",
    "service_plan_updated",
    "contact_added",
    "contact_updated",
    "contact_deleted",
    "deleted",
]
"""What a change to a customer did, as its audit trail names it."""
