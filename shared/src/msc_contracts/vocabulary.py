"""Words both sides of the HTTP API use: the SLA windows, the health badges, severities,
RPO statuses and the set table's orders (CONTRACT.md). Each service's HTTP schemas live
with the service; the contract tests keep their copies of these words alike."""

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
