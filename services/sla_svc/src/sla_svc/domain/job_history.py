"""The job history of a backup set: its latest jobs, backups and restores, newest first,
for an operator finding out why a backup failed, and the home of the set's `last_backup`,
`last_restore` and `last_failure` (`latest_jobs`).

A job's recency can fall (it counts by its latest event's time until a snapshot tells its
`started_at`, which may be earlier), and then the job before it may be the latest again:
so the latest jobs are chosen from the history, which holds the jobs before them too.

Kept per set apart from the customer's figures (a view never reads it), rewritten from the
jobs' merged states (`jobs.merge`) whenever a batch touches one of the set's jobs: so it
depends only on the states, whatever the order of delivery, and a redelivered batch
writes it again the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sla_svc.domain.backup_sets import BackupSet, JobSummary
from sla_svc.domain.jobs import JobState

HISTORY_LENGTH = 20
ERROR_MESSAGE_KEPT = 300
"""Characters of the last failure's error message kept on its set's row (the event's whole
message, up to 4,000, stays in the history)."""


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


def with_latest_jobs(backup_set: BackupSet, history: SetHistory) -> BackupSet:
    """The set with its `last_backup`, `last_restore` and `last_failure` (the latest backup
    that failed, with the agent's error) as its history says (as far as it reaches)."""
    backup = restore = failure = None
    for entry in history.jobs:  # latest first
        if entry.job_type == "backup":
            backup = backup or _summary(entry, with_error=False)
            if entry.status == "failed":
                failure = failure or _summary(entry, with_error=True)
        else:
            restore = restore or _summary(entry, with_error=False)
    return replace(backup_set, last_backup=backup, last_restore=restore, last_failure=failure)


def _summary(entry: JobEntry, *, with_error: bool) -> JobSummary:
    message = entry.error_message[:ERROR_MESSAGE_KEPT] if entry.error_message else None
    return JobSummary(
        entry.job_id,
        entry.status,
        entry.started_at,
        entry.ended_at,
        entry.error_code if with_error else None,
        message if with_error else None,
    )
