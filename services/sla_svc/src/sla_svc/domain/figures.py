"""Per-customer SLA figures kept up to date as events apply, so a read never scans jobs.

Counters live in hour buckets on the customer (`CustomerSla`) and, to make the window's two
partial hours exact, per instant in one `HourDetail` per hour. Each of these documents
remembers, per stream (one partition of one topic), the offset of the last event it has
counted, so that after a crash the redelivered events are counted once (`Counted.counts`).
Offsets are ordered only within a partition, and a customer's events may come from several
partitions of a topic once partitions are added; hence per partition, not per topic.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field

from sla_svc.domain.backup_sets import BackupSet
from sla_svc.domain.set_table import SetTable

Counts = dict[str, int]
OpenAlert = tuple[str, str, str | None]  # raised time, severity, backup set id


@dataclass
class Counted:
    """A document of counters that remembers what it has counted.

    Offsets compare only within one partition, and all of one customer's events of a
    topic must come through partitions whose offsets this document sees in order: so it
    relies on the topics being keyed by customer id (the contract) and on one writer per
    customer (`msc_platform.copartition`)."""

    offsets: dict[str, int] = field(default_factory=dict)

    def counts(self, stream: str, offset: int) -> bool:
        """True when the event at `offset` of `stream` is not counted here yet."""
        return offset > self.offsets.get(stream, -1)

    def advance(self, stream: str, offset: int) -> None:
        """Remember that everything up to `offset` of `stream` is counted."""
        if offset > self.offsets.get(stream, -1):
            self.offsets[stream] = offset


@dataclass
class CustomerSla(Counted):
    """Everything the SLA tab of one customer needs but the two partial hours of the window."""

    customer_id: str = ""
    sets: SetTable = field(default_factory=SetTable)
    job_hours: dict[str, Counts] = field(default_factory=dict)
    alert_hours: dict[str, Counts] = field(default_factory=dict)
    open_alerts: Counts = field(default_factory=dict)
    acknowledged_alerts: Counts = field(default_factory=dict)
    """Open alerts that are acknowledged, per severity (also counted in `open_alerts`)."""
    open_alert_index: MutableMapping[str, OpenAlert] = field(default_factory=dict)
    """Each open alert's raised time, severity and backup set, by alert id: the alert
    list's order, and its rows while their alert states are being written."""
    detail_hours: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not isinstance(self.sets, SetTable):  # a plain mapping of sets, as tests give
            self.sets = SetTable(self.sets)

    def backup_set(self, backup_set_id: str) -> BackupSet:
        """The set, known or new."""
        return self.sets.get(backup_set_id) or BackupSet(backup_set_id)


@dataclass
class HourDetail(Counted):
    """Counters of one customer and hour, per instant: jobs by `ended_at`, alerts by `raised`."""

    customer_id: str = ""
    hour: str = ""
    jobs: dict[str, Counts] = field(default_factory=dict)
    alerts: dict[str, Counts] = field(default_factory=dict)


def add(counts: dict[str, Counts], bucket: str, key: str, amount: int) -> None:
    """Add `amount` to one counter, dropping counters and buckets that fall to zero."""
    inner = counts.setdefault(bucket, {})
    value = inner.get(key, 0) + amount
    if value:
        inner[key] = value
    else:
        inner.pop(key, None)
    if not inner:
        counts.pop(bucket, None)
