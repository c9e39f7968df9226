"""Words both sides of the HTTP API use: the SLA windows, the health badges, the default
storage regions (CONTRACT.md). Each service's HTTP schemas live with the service; the
contract tests keep their copies of these words alike."""

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
DEFAULT_REGIONS = (
    "us-east-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-central-1",
    "ap-south-1",
    "ap-southeast-2",
    "ap-northeast-1",
)
"""The storage regions allowed unless configured otherwise (`MSC_STORAGE_REGIONS`)."""
