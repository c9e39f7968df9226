"""Per-customer SLA figures kept up to date as events apply, so a read never scans jobs.

Counters live in hour buckets on the customer (`CustomerSla`) and, to make the window's two
partial hours exact, per instant in one `HourDetail` per hour. They move by the difference
an event makes to its entity's state (`ingest`), so they count each state once however
often, late or from wherever its events come.
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from dataclasses import dataclass, field

from sla_svc.domain.backup_sets import BackupSet
from sla_svc.domain.set_table import BackupSets, SetTable

Counts = dict[str, int]
OpenAlert = tuple[str, str, str | None]  # raised time, severity, backup set id


@dataclass
class CustomerSla:
    """Everything the SLA tab of one customer needs but the two partial hours of the window."""

    customer_id: str = ""
    sets: BackupSets = field(default_factory=SetTable)
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
        if not isinstance(self.sets, BackupSets):  # a plain mapping of sets, as tests give
            self.sets = SetTable(self.sets)

    def backup_set(self, backup_set_id: str) -> BackupSet:
        """The set, known or new."""
        return self.sets.get(backup_set_id) or BackupSet(backup_set_id)

    def copy(self) -> CustomerSla:
        """A copy that a batch may change while this one stays as it is (for a view)."""
        return CustomerSla(
            customer_id=self.customer_id,
            sets=self.sets.copy(),
            job_hours={hour: dict(counts) for hour, counts in self.job_hours.items()},
            alert_hours={hour: dict(counts) for hour, counts in self.alert_hours.items()},
            open_alerts=dict(self.open_alerts),
            acknowledged_alerts=dict(self.acknowledged_alerts),
            open_alert_index=copy.copy(self.open_alert_index),
            detail_hours=set(self.detail_hours),
        )


@dataclass
class HourDetail:
    """Counters of one customer and hour, per instant: jobs by `ended_at`, alerts by `raised`."""

    customer_id: str = ""
    hour: str = ""
    jobs: dict[str, Counts] = field(default_factory=dict)
    alerts: dict[str, Counts] = field(default_factory=dict)

    def copy(self) -> HourDetail:
        """A copy that a batch may count in while this one stays as it is."""
        return HourDetail(
            self.customer_id,
            self.hour,
            {moment: dict(counts) for moment, counts in self.jobs.items()},
            {moment: dict(counts) for moment, counts in self.alerts.items()},
        )


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
