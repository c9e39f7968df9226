"""A backup set's latest job of one kind (its last backup, last restore, last failure, last
success) over every job of the set ever received, in a bounded memory.

A job's place can fall as well as rise: a later terminal snapshot turns a failure into a
success, a `started_at` that arrives late moves a job back. So a set keeps the `KEPT`
highest-placed jobs of each kind (`Latest.top`) and a bound at or above the place of every
other job of the kind (`Latest.bound`): while `top` is not empty its first job is the
latest, whatever fell out of it. Only when every kept job has fallen below the bound (or
out of the kind) is the answer unknown here: the set is then rebuilt from all its job
states (`LatestJobs.rebuilt`), which takes `KEPT` such falls in a row, so in practice never.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from sla_svc.domain.jobs import JobState

KEPT = 3
"""Jobs kept per kind and set: how many of its latest may fall in a row before the set is
rebuilt from its stored job states."""
ERROR_MESSAGE_KEPT = 300
"""Characters of the last failure's error message kept on its set's row (the event's whole
message, up to 4,000, stays in the job history)."""

Kind = Literal["backup", "restore", "failure", "success"]
KINDS: tuple[Kind, ...] = ("backup", "restore", "failure", "success")


@dataclass(frozen=True)
class JobSummary:
    """`last_backup` / `last_restore` / `last_failure` of a set (and its last success)."""

    job_id: str
    status: str
    started_at: str | None
    ended_at: str | None
    error_code: str | None = None
    error_message: str | None = None


Placed = tuple[str, JobSummary]
"""A job's place among those of its kind (larger is later; unique per job) and summary."""


@dataclass(frozen=True)
class Latest:
    """The latest jobs of one kind of a set: the `KEPT` latest, latest first, and a bound
    at or above the place of every other job of the kind (None: there is none)."""

    top: tuple[Placed, ...] = ()
    bound: str | None = None

    @property
    def latest(self) -> JobSummary | None:
        """The latest job of the kind, if known here."""
        return self.top[0][1] if self.top else None

    @property
    def unknown(self) -> bool:
        """True when the latest job is among those only the job states hold."""
        return not self.top and self.bound is not None


def placed(kind: Kind, job: JobState) -> Placed | None:
    """The job's place and summary among jobs of `kind`, or None when it is not of it."""
    if kind == "success":
        if not job.successful_backup or job.ended_at is None:
            return None
        return f"{job.ended_at}|{job.job_id}", _summary(job, with_error=False)
    if kind == "restore":
        return (job.recency, _summary(job, with_error=False)) if job.job_type == "restore" else None
    if job.job_type != "backup" or (kind == "failure" and job.status != "failed"):
        return None
    return job.recency, _summary(job, with_error=kind == "failure")


def offer(latest: Latest, job_id: str, place: Placed | None) -> Latest:
    """`latest` after job `job_id` changed; `place` is where it now stands in the kind
    (None: no longer of it). Commutative in effect: whatever the order of offers, `latest`
    names the job with the highest place, or says it does not know (`unknown`)."""
    top = [p for p in latest.top if p[1].job_id != job_id]
    bound = latest.bound
    if place is not None and (bound is None or place[0] > bound):
        top.append(place)
    top.sort(key=lambda p: p[0], reverse=True)
    if len(top) > KEPT:
        bound = max(bound or "", top[KEPT][0])
        top = top[:KEPT]
    return Latest(tuple(top), bound)


class LatestFinder:
    """The latest jobs of each kind of every set, found in one pass over job states in any
    order, holding `KEPT + 1` of each (a migration reads millions of states this way)."""

    def __init__(self) -> None:
        self._places: dict[tuple[str | None, Kind], list[tuple[str, int, JobSummary]]] = {}
        self._seen = 0
        self.jobs_per_set: dict[str, int] = {}
        """Jobs added `by_set`, per set."""

    def add(self, job: JobState, *, by_set: bool = False) -> None:
        """Count `job` (among its set's, with `by_set`; else among all given)."""
        if by_set:
            self.jobs_per_set[job.backup_set_id] = self.jobs_per_set.get(job.backup_set_id, 0) + 1
        for kind in KINDS:
            place = placed(kind, job)
            if place is None:
                continue
            self._seen += 1  # ties never compare summaries
            heap = self._places.setdefault((job.backup_set_id if by_set else None, kind), [])
            entry = (place[0], self._seen, place[1])
            if len(heap) <= KEPT:
                heapq.heappush(heap, entry)
            elif entry[0] > heap[0][0]:
                heapq.heapreplace(heap, entry)

    def latest(self, backup_set_id: str | None, kind: Kind) -> Latest:
        """The latest jobs of `kind` (of that set, if added `by_set`)."""
        found = sorted(self._places.get((backup_set_id, kind), []), reverse=True)
        places = tuple((place, summary) for place, _, summary in found)
        return Latest(places[:KEPT], places[KEPT][0] if len(places) > KEPT else None)

    def latest_jobs(self, backup_set_id: str) -> LatestJobs:
        """The latest jobs of each kind of one set (jobs added `by_set`)."""
        return LatestJobs(*(self.latest(backup_set_id, kind) for kind in KINDS))


@dataclass(frozen=True)
class LatestJobs:
    """A set's latest jobs of each kind."""

    backup: Latest = field(default_factory=Latest)
    restore: Latest = field(default_factory=Latest)
    failure: Latest = field(default_factory=Latest)
    success: Latest = field(default_factory=Latest)

    def of(self, kind: Kind) -> Latest:
        """The latest jobs of one kind."""
        latest: Latest = getattr(self, kind)
        return latest

    @property
    def unknown(self) -> tuple[Kind, ...]:
        """The kinds whose latest job only the set's job states can tell (`rebuilt`)."""
        return tuple(kind for kind in KINDS if self.of(kind).unknown)

    def offered(self, job: JobState) -> LatestJobs:
        """These latest jobs after `job` changed."""
        moved = {kind: offer(self.of(kind), job.job_id, placed(kind, job)) for kind in KINDS}
        return LatestJobs(**moved)

    def withdrawn(self, job_id: str) -> LatestJobs:
        """These latest jobs once the job is no longer one of the set's (it moved)."""
        return LatestJobs(**{kind: offer(self.of(kind), job_id, None) for kind in KINDS})

    def rebuilt(self, jobs: Iterable[JobState]) -> LatestJobs:
        """These latest jobs with the unknown ones found among `jobs`, every job of the set."""
        unknown = self.unknown
        if not unknown:
            return self
        finder = LatestFinder()
        for job in jobs:
            finder.add(job)
        return replace(self, **{kind: finder.latest(None, kind) for kind in unknown})


def _summary(job: JobState, *, with_error: bool) -> JobSummary:
    if not with_error:
        return JobSummary(job.job_id, job.status, job.started_at, job.ended_at)
    message = job.error_message[:ERROR_MESSAGE_KEPT] if job.error_message else None
    return JobSummary(job.job_id, job.status, job.started_at, job.ended_at, job.error_code, message)
