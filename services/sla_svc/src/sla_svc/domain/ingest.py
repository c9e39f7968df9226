"""Applies a customer's delivered events to its states and figures (rules 1 to 3).

The result depends only on the set of events delivered, never on their order or
repetition: entity states merge (`jobs.merge`, `alerts.*`, `backup_sets.apply_*`), and every
counter moves by the difference an event makes to an entity's contribution, so an event
whose state is already stored moves nothing, whatever offset, partition or topic it comes
from (a recreated topic, a replay into a new cluster, partitions added while running).

That holds while the counters never run ahead of the states they were counted from:
storage writes a customer's counters together with the states and hour details its save
goes on to write (`domain.batch.Unfinished`), and a save that stopped half-way is finished by the
next batch of the customer before it counts anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sla_svc.domain.alerts import (
    Acknowledged,
    AlertState,
    Raised,
    acknowledge_alert,
    clear_alert,
    raise_alert,
)
from sla_svc.domain.backup_sets import Presence, apply_job, apply_presence, withdraw_job
from sla_svc.domain.figures import Counts, CustomerSla, HourDetail, add
from sla_svc.domain.jobs import JobSnapshot, JobState, merge
from sla_svc.domain.time_keys import hour_of


@dataclass(frozen=True)
class SetChanged:
    """A backup set was upserted or deleted."""

    customer_id: str = field(kw_only=True)
    backup_set_id: str
    presence: Presence


@dataclass(frozen=True)
class AlertRaised:
    """An alert was raised."""

    customer_id: str = field(kw_only=True)
    alert_id: str
    raised: Raised


@dataclass(frozen=True)
class AlertCleared:
    """An alert was cleared."""

    customer_id: str = field(kw_only=True)
    alert_id: str


@dataclass(frozen=True)
class AlertAcknowledged:
    """Someone acknowledged an alert."""

    customer_id: str = field(kw_only=True)
    alert_id: str
    acknowledged: Acknowledged


AlertChange = AlertRaised | AlertCleared | AlertAcknowledged
Change = JobSnapshot | SetChanged | AlertChange
"""An agent's event as the rules apply it, from its decoding on (`consumers.to_change`)."""


@dataclass(frozen=True)
class Outcome:
    """What events did: changed something (`applied`), changed nothing (`unchanged`:
    repeats and snapshots already superseded), or were dropped (their customer is
    deleted). Counted once, by `ingest` and `SlaService.apply`; the consumer reports it."""

    applied: int = 0
    unchanged: int = 0
    dropped: int = 0

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(
            self.applied + other.applied,
            self.unchanged + other.unchanged,
            self.dropped + other.dropped,
        )


@dataclass(frozen=True)
class DetailDelta:
    """A counter change for an `HourDetail`."""

    hour: str
    section: str  # "jobs" or "alerts"
    instant: str
    key: str
    amount: int


@dataclass
class Ingested:
    """What storage must write after `ingest`."""

    jobs: dict[str, JobState] = field(default_factory=dict)
    alerts: dict[str, AlertState] = field(default_factory=dict)
    detail_deltas: list[DetailDelta] = field(default_factory=list)
    expired_details: list[str] = field(default_factory=list)
    outcome: Outcome = field(default_factory=Outcome)
    moved: dict[str, str] = field(default_factory=dict)
    """Jobs that now name another set, with the set they named before."""


Contribution = tuple[str, str] | None  # (instant, counter key)


def ingest(
    customer: CustomerSla,
    jobs: dict[str, JobState],
    alerts: dict[str, AlertState],
    changes: Sequence[Change],
    floor_hour: str,
) -> Ingested:
    """Apply `changes` (in stream order) to `customer`, `jobs` and `alerts`, in place.

    `jobs` and `alerts` hold the stored states of the entities the events name; hour
    buckets before `floor_hour` are no longer kept.
    """
    out = Ingested()
    for change in changes:
        if isinstance(change, JobSnapshot):
            before = jobs.get(change.job_id)
            after = merge(before, change)
            jobs[change.job_id] = out.jobs[change.job_id] = after
            _count(customer, out, "jobs", _job_part(before), _job_part(after), floor_hour)
            if after != before:
                entered = before is None or before.backup_set_id != after.backup_set_id
                if before is not None and entered:  # a later snapshot names another set
                    left = customer.backup_set(before.backup_set_id)
                    customer.sets[before.backup_set_id] = withdraw_job(left, after.job_id)
                    out.moved[after.job_id] = before.backup_set_id
                bs = customer.backup_set(after.backup_set_id)
                customer.sets[after.backup_set_id] = apply_job(bs, after, new=entered)
            out.outcome += _counted(after == before)
        elif isinstance(change, SetChanged):
            bs = customer.backup_set(change.backup_set_id)
            moved = apply_presence(bs, change.presence)
            if moved != bs:
                customer.sets[change.backup_set_id] = moved
            out.outcome += _counted(moved == bs)
        else:
            old = alerts.get(change.alert_id)
            if isinstance(change, AlertRaised):
                new = raise_alert(old, change.alert_id, change.raised)
            elif isinstance(change, AlertCleared):
                new = clear_alert(old, change.alert_id)
            else:
                new = acknowledge_alert(old, change.alert_id, change.acknowledged)
            alerts[change.alert_id] = out.alerts[change.alert_id] = new
            _count(customer, out, "alerts", _raised_part(old), _raised_part(new), floor_hour)
            if new != old:
                _move_open(customer, old, new)
            out.outcome += _counted(new == old)
    out.expired_details = _expire(customer, floor_hour)
    return out


def _counted(unchanged: bool) -> Outcome:
    return Outcome(unchanged=1) if unchanged else Outcome(applied=1)


def count_details(
    customer_id: str, details: dict[str, HourDetail], deltas: Sequence[DetailDelta]
) -> list[HourDetail]:
    """The second half of `ingest`: apply its `detail_deltas` to the hour details they
    touch (`details`: those stored; the others start empty); return the details to write."""
    for delta in deltas:
        detail = details.setdefault(
            delta.hour, HourDetail(customer_id=customer_id, hour=delta.hour)
        )
        counts = detail.jobs if delta.section == "jobs" else detail.alerts
        add(counts, delta.instant, delta.key, delta.amount)
    return [details[hour] for hour in dict.fromkeys(delta.hour for delta in deltas)]


def _job_part(job: JobState | None) -> Contribution:
    if job is None or not job.terminal or job.ended_at is None:
        return None
    return job.ended_at, f"{job.job_type}:{job.status}"


def _raised_part(alert: AlertState | None) -> Contribution:
    if alert is None or alert.raised is None:
        return None
    return alert.raised.time, alert.raised.severity


def _count(
    customer: CustomerSla,
    out: Ingested,
    section: str,
    before: Contribution,
    after: Contribution,
    floor_hour: str,
) -> None:
    if before == after:
        return
    hours: dict[str, Counts] = customer.job_hours if section == "jobs" else customer.alert_hours
    for part, amount in ((before, -1), (after, +1)):
        if part is None:
            continue
        instant, key = part
        hour = hour_of(instant)
        if hour < floor_hour:
            continue
        add(hours, hour, key, amount)
        customer.detail_hours.add(hour)
        out.detail_deltas.append(DetailDelta(hour, section, instant, key, amount))


def _move_open(customer: CustomerSla, old: AlertState | None, new: AlertState) -> None:
    if old is not None and old.open:
        customer.open_alert_index.pop(old.alert_id, None)
    if new.open and new.raised is not None:
        raised = new.raised
        customer.open_alert_index[new.alert_id] = (
            raised.time,
            raised.severity,
            raised.backup_set_id,
        )
    for alert, amount in ((old, -1), (new, +1)):
        if alert is None or not alert.open or alert.raised is None:
            continue
        severity = alert.raised.severity
        customer.open_alerts[severity] = customer.open_alerts.get(severity, 0) + amount
        if alert.acknowledged is not None:
            acknowledged = customer.acknowledged_alerts
            acknowledged[severity] = acknowledged.get(severity, 0) + amount
        if alert.raised.backup_set_id:
            bs = customer.backup_set(alert.raised.backup_set_id)
            customer.sets[bs.backup_set_id] = replace(bs, open_alerts=bs.open_alerts + amount)


def _expire(customer: CustomerSla, floor_hour: str) -> list[str]:
    for hours in (customer.job_hours, customer.alert_hours):
        for hour in [h for h in hours if h < floor_hour]:
            del hours[hour]
    expired = sorted(h for h in customer.detail_hours if h < floor_hour)
    customer.detail_hours.difference_update(expired)
    return expired
