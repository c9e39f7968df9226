"""Kafka topic names of the contract (CONTRACT.md section 2)."""

from typing import Final

BACKUP_JOBS: Final = "backup.jobs"
BACKUP_SETS: Final = "backup.sets"
BACKUP_ALERTS: Final = "backup.alerts"
BACKUP_USAGE: Final = "backup.usage"
CUSTOMER_EVENTS: Final = "customers.events"

ALL_TOPICS: Final = (BACKUP_JOBS, BACKUP_SETS, BACKUP_ALERTS, BACKUP_USAGE, CUSTOMER_EVENTS)


def dead_letter_topic(topic: str) -> str:
    """The dead-letter topic that receives the malformed events of `topic`."""
    return f"{topic}.dlq"
