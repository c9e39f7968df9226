"""The job history of a backup set: its latest jobs, backups and restores, newest first,
for an operator finding out why a backup failed. (The set's row names its latest jobs of
each kind over all its history: `latest.py`.)

Kept per set apart from the customer's figures (a view never reads it), rewritten from the
jobs' merged states (`jobs.merge`) whenever a batch touches one of the set's jobs: so it
depends only on the states, whatever the order of delivery, and a redelivered batch
writes it again the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sla_svc.domain.jobs import JobState

HISTORY_LENGTH = 20


@dataclass(frozen=True)
class JobEntry:
    """One job of the history as its merged state says."""

    job_id: str
    job_type: str
    status: str
    started_at: str | None
    ended_at: str | None
    bytes_transferred: int
    error_code: str | None
    error_message: str | None
    recency: str


@dataclass(frozen=True)
class SetHistory:
    """The `HISTORY_LENGTH` latest jobs of one set (by `JobState.recency`), latest first."""

    backup_set_id: str
    jobs: tuple[JobEntry, ...] = ()


def record(history: SetHistory, jobs: Iterable[JobState]) -> SetHistory:
    """The history with these states of its set's jobs in their place."""
    entries = {entry.job_id: entry for entry in history.jobs}
    for job in jobs:
        entries[job.job_id] = JobEntry(
            job.job_id,
            job.job_type,
            job.status,
            job.started_at,
            job.ended_at,
            job.bytes_transferred,
            job.error_code,
            job.error_message,
            job.recency,
        )
    latest = sorted(entries.values(), key=lambda e: e.recency, reverse=True)
    return replace(history, jobs=tuple(latest[:HISTORY_LENGTH]))


def without(history: SetHistory, job_ids: Iterable[str]) -> SetHistory:
    """The history without these jobs (they moved to another set)."""
    gone = set(job_ids)
    return replace(history, jobs=tuple(e for e in history.jobs if e.job_id not in gone))
