"""One customer's batch of events: what it is applied to (`Loaded`, read as `needs` says),
the rules applied (`apply_batch`), and what its save writes (`CustomerChanges`).

A customer's figures are written first and carry what the rest of their save writes
(`Unfinished`), so a save that stopped half-way left counters that had counted those
states: the next batch applies to them, and writes them again, before it counts anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sla_svc.domain.alerts import AlertState
from sla_svc.domain.backup_sets import rebuilt
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.ingest import AlertRaised, Change, Outcome, count_details, ingest
from sla_svc.domain.job_history import SetHistory, record, without
from sla_svc.domain.jobs import JobSnapshot, JobState
from sla_svc.domain.time_keys import hour_of


@dataclass
class Unfinished:
    """What a customer's last save wrote with its figures and then went on to write apart:
    the job and alert states, hour details and expired hours of that batch."""

    jobs: dict[str, JobState] = field(default_factory=dict)
    alerts: dict[str, AlertState] = field(default_factory=dict)
    details: dict[str, HourDetail] = field(default_factory=dict)
    expired_details: list[str] = field(default_factory=list)


@dataclass
class Loaded:
    """A customer as stored, as far as one batch needs it; the batch may change all of it."""

    customer: CustomerSla
    jobs: dict[str, JobState] = field(default_factory=dict)
    """Stored states of the jobs the batch names and of those `unfinished` holds."""
    alerts: dict[str, AlertState] = field(default_factory=dict)
    """Stored states of the alerts the batch names."""
    details: dict[str, HourDetail] = field(default_factory=dict)
    """Stored hour details of the hours the batch may count in (`needs`)."""
    histories: dict[str, SetHistory] = field(default_factory=dict)
    """Stored job histories of the sets the batch may touch (`needs`)."""
    unfinished: Unfinished = field(default_factory=Unfinished)
    revision: str | None = None
    """The settled revision of the customer's head it was read at (`ports.Head.settled`)."""


@dataclass
class CustomerChanges:
    """Everything one batch changed for one customer: what its save writes."""

    customer: CustomerSla
    details: list[HourDetail] = field(default_factory=list)
    jobs: list[JobState] = field(default_factory=list)
    alerts: list[AlertState] = field(default_factory=list)
    histories: list[SetHistory] = field(default_factory=list)
    expired_details: list[str] = field(default_factory=list)
    base_revision: str | None = None
    """The revision the batch read the customer at (`Loaded.revision`)."""
    latest_unknown: list[str] = field(default_factory=list)
    """Sets whose latest jobs only all their job states can tell, to be found again
    before the save (`with_latest_found`)."""


@dataclass(frozen=True)
class Needs:
    """The hour details and set histories a batch may change, found before it is applied
    from the stored states of the entities it names."""

    hours: set[str]
    backup_set_ids: set[str]


def needs(
    events: Sequence[Change],
    jobs: Iterable[JobState],
    alerts: Iterable[AlertState],
    floor_hour: str,
) -> Needs:
    """What a batch may count in and record in, given the stored states (and the
    unfinished ones) of its jobs and alerts: the hours of every `ended_at` and `raised`
    time among them and the events (a state's contribution is one of those), and the sets
    they name (a job leaves a set its stored state names)."""
    moments: set[str] = set()
    sets: set[str] = set()
    for job in jobs:
        sets.add(job.backup_set_id)
        if job.ended_at:
            moments.add(job.ended_at)
    for alert in alerts:
        if alert.raised is not None:
            moments.add(alert.raised.time)
    for event in events:
        if isinstance(event, JobSnapshot):
            sets.add(event.backup_set_id)
            if event.ended_at:
                moments.add(event.ended_at)
        elif isinstance(event, AlertRaised):
            moments.add(event.raised.time)
    hours = {hour for hour in map(hour_of, moments) if hour >= floor_hour}
    return Needs(hours, sets)


def apply_batch(
    loaded: Loaded, events: Sequence[Change], floor_hour: str
) -> tuple[CustomerChanges, Outcome]:
    """The batch's events applied, in stream order, to the customer as loaded (the rest of
    its last save first): what its save writes, and what the events did."""
    customer, unfinished = loaded.customer, loaded.unfinished
    jobs = loaded.jobs | unfinished.jobs
    alerts = loaded.alerts | unfinished.alerts
    done = ingest(customer, jobs, alerts, events, floor_hour)
    done.jobs = unfinished.jobs | done.jobs
    done.alerts = unfinished.alerts | done.alerts
    by_set: dict[str, list[JobState]] = {}
    for job in done.jobs.values():
        by_set.setdefault(job.backup_set_id, []).append(job)
    left: dict[str, list[str]] = {}  # sets that jobs left, by this save or the last
    for moved in (done.moved, _moved_by(unfinished.jobs, loaded.jobs)):
        for job_id, old_set in moved.items():
            left.setdefault(old_set, []).append(job_id)
    stored = {h: d for h, d in loaded.details.items() if h not in unfinished.details}
    touched = count_details(customer.customer_id, stored | unfinished.details, done.detail_deltas)
    expired = set(done.expired_details) | set(unfinished.expired_details)
    details = {d.hour: d for d in [*unfinished.details.values(), *touched]}
    histories = loaded.histories
    recorded = {
        set_id: record(histories.get(set_id) or SetHistory(set_id), set_jobs)
        for set_id, set_jobs in by_set.items()
    }
    for set_id, gone in left.items():
        if (history := recorded.get(set_id) or histories.get(set_id)) is not None:
            recorded[set_id] = without(history, gone)
    changes = CustomerChanges(
        customer=customer,
        details=[d for hour, d in details.items() if hour not in expired],
        jobs=list(done.jobs.values()),
        alerts=list(done.alerts.values()),
        histories=list(recorded.values()),
        expired_details=sorted(expired),
        base_revision=loaded.revision,
        latest_unknown=[
            s
            for s in by_set.keys() | left.keys()
            if (bs := customer.sets.get(s)) and bs.latest.unknown
        ],
    )
    return changes, done.outcome


def with_latest_found(changes: CustomerChanges, stored: Iterable[JobState]) -> None:
    """Rebuild the latest jobs of the sets whose kept ones all fell (`latest.py`) from every
    stored job state of the customer and those the batch changed."""
    customer = changes.customer
    states = {j.job_id: j for j in stored} | {j.job_id: j for j in changes.jobs}
    for set_id in changes.latest_unknown:
        of_set = (s for s in states.values() if s.backup_set_id == set_id)
        customer.sets[set_id] = rebuilt(customer.sets[set_id], of_set)
    changes.latest_unknown = []


def _moved_by(unfinished: dict[str, JobState], stored: dict[str, JobState]) -> dict[str, str]:
    """Jobs a save that did not finish moved to another set, with the set they left (its
    figures say so already; the set's history is still to be written)."""
    return {
        job_id: before.backup_set_id
        for job_id, state in unfinished.items()
        if (before := stored.get(job_id)) is not None
        and before.backup_set_id != state.backup_set_id
    }
