"""Rule 2 and the per-set columns of the SLA tab: presence, last jobs, RPO and open alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Protocol

from msc_contracts.vocabulary import RpoStatus
from sla_svc.domain.jobs import JobState
from sla_svc.domain.latest import JobSummary, LatestJobs
from sla_svc.domain.time_keys import instant

DEFAULT_RPO_HOURS = 24


@dataclass(frozen=True)
class Presence:
    """Whether a set is present (upserted, with its name, workload and RPO) or deleted, as
    the latest `upserted` or `deleted` event of the set says."""

    order: str
    deleted: bool
    name: str | None = None
    workload: str | None = None
    rpo_hours: int = DEFAULT_RPO_HOURS


class Rpo(Protocol):
    """What an RPO status is judged on."""

    @property
    def rpo_hours(self) -> int:
        """Recovery point objective in hours."""
        ...

    @property
    def last_successful_backup_at(self) -> str | None:
        """`ended_at` of the latest successful backup."""
        ...


class SetKey(NamedTuple):
    """What the backup set table counts, orders and filters a set by: all of it but the
    page's rows reads only these (`BackupSet.key`)."""

    backup_set_id: str
    listed: bool
    name: str | None
    rpo_hours: int
    last_successful_backup_at: str | None


@dataclass(frozen=True)
class BackupSet:
    """One backup set of a customer as the SLA tab shows it."""

    backup_set_id: str
    presence: Presence | None = None
    jobs: int = 0
    """How many jobs name the set (as their highest-ranking snapshot says)."""
    latest: LatestJobs = field(default_factory=LatestJobs)
    open_alerts: int = 0

    @property
    def listed(self) -> bool:
        """Listed when its latest set event is an upsert, or it has jobs and no set event."""
        if self.presence is not None:
            return not self.presence.deleted
        return self.jobs > 0

    @property
    def name(self) -> str | None:
        """Display name, when an upsert gave one."""
        return self.presence.name if self.presence else None

    @property
    def workload(self) -> str | None:
        """Workload, when an upsert gave one."""
        return self.presence.workload if self.presence else None

    @property
    def rpo_hours(self) -> int:
        """Recovery point objective in hours."""
        return self.presence.rpo_hours if self.presence else DEFAULT_RPO_HOURS

    @property
    def last_backup(self) -> JobSummary | None:
        """The backup job with the latest `started_at` (else latest event `time`)."""
        return self.latest.backup.latest

    @property
    def last_restore(self) -> JobSummary | None:
        """The restore job with the latest `started_at` (else latest event `time`)."""
        return self.latest.restore.latest

    @property
    def last_failure(self) -> JobSummary | None:
        """The failed backup job with the latest `started_at`, with the agent's error."""
        return self.latest.failure.latest

    @property
    def last_successful_backup_at(self) -> str | None:
        """`ended_at` of the latest successful backup."""
        success = self.latest.success.latest
        return success.ended_at if success else None

    @property
    def key(self) -> SetKey:
        """The set as the table counts, orders and filters it."""
        return SetKey(
            self.backup_set_id,
            self.listed,
            self.name,
            self.rpo_hours,
            self.last_successful_backup_at,
        )


class RpoJudge:
    """`rpo_status` of sets at one instant: `never` without a successful backup, `breached`
    when `as_of - last_successful_backup_at` exceeds the RPO, else `ok`.

    Instant keys sort like instants, so each set costs one string comparison with the
    cutoff `as_of - rpo_hours` of its RPO, instead of parsing a timestamp per set.
    """

    def __init__(self, as_of: dt.datetime) -> None:
        self._as_of = as_of
        self._cutoffs: dict[int, str] = {}

    def cutoff(self, rpo_hours: int) -> str:
        """The instant key of `as_of - rpo_hours`: a last success before it is a breach."""
        cutoff = self._cutoffs.get(rpo_hours)
        if cutoff is None:
            cutoff = self._cutoffs[rpo_hours] = instant(self._as_of - dt.timedelta(hours=rpo_hours))
        return cutoff

    def status(self, backup_set: Rpo) -> RpoStatus:
        """The set's RPO status at `as_of`."""
        last = backup_set.last_successful_backup_at
        if last is None:
            return "never"
        return "breached" if last < self.cutoff(backup_set.rpo_hours) else "ok"


def apply_presence(backup_set: BackupSet, presence: Presence) -> BackupSet:
    """The set after an `upserted` or `deleted` event; the latest one wins."""
    if backup_set.presence is None or presence.order > backup_set.presence.order:
        return replace(backup_set, presence=presence)
    return backup_set


def apply_job(backup_set: BackupSet, job: JobState, *, new: bool) -> BackupSet:
    """The set after one of its jobs changed to `job` (`new`: the job was not one of the
    set's before): its job count and latest jobs of each kind."""
    jobs = backup_set.jobs + 1 if new else backup_set.jobs
    return replace(backup_set, jobs=jobs, latest=backup_set.latest.offered(job))


def withdraw_job(backup_set: BackupSet, job_id: str) -> BackupSet:
    """The set once one of its jobs names another set (a later snapshot said so)."""
    jobs = max(backup_set.jobs - 1, 0)
    return replace(backup_set, jobs=jobs, latest=backup_set.latest.withdrawn(job_id))


def rebuilt(backup_set: BackupSet, jobs: Iterable[JobState]) -> BackupSet:
    """The set with the latest jobs it does not know found again among `jobs`, every job
    state of the set (`LatestJobs.unknown`)."""
    return replace(backup_set, latest=backup_set.latest.rebuilt(jobs))
