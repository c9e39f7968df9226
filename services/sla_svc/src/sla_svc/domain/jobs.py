"""Rule 1: a job's state is its highest-ranking snapshot, whatever the order of delivery."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from msc_contracts.vocabulary import SUCCESSFUL_JOB_STATUSES, TERMINAL_JOB_STATUSES

TERMINAL = frozenset(TERMINAL_JOB_STATUSES)
SUCCESSFUL = frozenset(SUCCESSFUL_JOB_STATUSES)


@dataclass(frozen=True)
class JobSnapshot:
    """One `com.msc.backup.job.v1` event: the job as the agent saw it at `time`."""

    customer_id: str = field(kw_only=True)
    job_id: str
    backup_set_id: str
    job_type: str
    status: str
    time: str
    event_id: str
    started_at: str | None = None
    ended_at: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    bytes_transferred: int = 0

    @property
    def rank(self) -> str:
        """Terminal snapshots outrank the others; then the later `time`, then the larger id."""
        terminal = "1" if self.status in TERMINAL else "0"
        return f"{terminal}|{self.time}|{self.event_id}"


@dataclass(frozen=True)
class JobState:
    """What is known of one job after any set of its snapshots."""

    job_id: str
    backup_set_id: str
    job_type: str
    status: str
    rank: str
    latest_time: str
    started_at: str | None = None
    started_rank: str | None = None
    ended_at: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    """The agent's error, as the highest-ranking snapshot gave it."""
    bytes_transferred: int = 0
    """As the highest-ranking snapshot gave it."""

    @property
    def terminal(self) -> bool:
        """True when the job has ended."""
        return self.status in TERMINAL

    @property
    def successful_backup(self) -> bool:
        """True for a backup job that ended `successful` or `successful_with_errors`."""
        return self.job_type == "backup" and self.status in SUCCESSFUL

    @property
    def recency(self) -> str:
        """Orders jobs for `last_backup` / `last_restore`: by `started_at`, else latest `time`."""
        return f"{self.started_at or self.latest_time}|{self.job_id}"


def merge(state: JobState | None, snap: JobSnapshot) -> JobState:
    """The job after `snap` as well; commutative, associative and idempotent."""
    if state is None:
        return JobState(
            job_id=snap.job_id,
            backup_set_id=snap.backup_set_id,
            job_type=snap.job_type,
            status=snap.status,
            rank=snap.rank,
            latest_time=snap.time,
            started_at=snap.started_at,
            started_rank=snap.rank if snap.started_at else None,
            ended_at=snap.ended_at,
            error_code=snap.error_code,
            error_message=snap.error_message,
            bytes_transferred=snap.bytes_transferred,
        )
    merged = state
    if snap.rank > state.rank:
        merged = replace(
            merged,
            backup_set_id=snap.backup_set_id,
            job_type=snap.job_type,
            status=snap.status,
            rank=snap.rank,
            ended_at=snap.ended_at,
            error_code=snap.error_code,
            error_message=snap.error_message,
            bytes_transferred=snap.bytes_transferred,
        )
    if snap.started_at and (state.started_rank is None or snap.rank > state.started_rank):
        merged = replace(merged, started_at=snap.started_at, started_rank=snap.rank)
    if snap.time > state.latest_time:
        merged = replace(merged, latest_time=snap.time)
    return merged
