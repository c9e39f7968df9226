"""Customers' figures recently read, each kept while the customer's revision is unchanged.

A read first asks the store for the customer's revision (a small document written after
every save); only when it differs from the cached one are the figures read again. On
FerretDB, where reading a large customer's figures costs tens of milliseconds and a
revision one small read, repeated views of a quiet customer cost about one `find_one`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from sla_svc.domain.figures import HourDetail
from sla_svc.domain.prepared import PreparedSla


@dataclass
class Snapshot:
    """A customer's figures at one revision, prepared, and the hour details read at that
    revision."""

    revision: str
    sla: PreparedSla
    details: dict[str, HourDetail | None] = field(default_factory=dict)


class ReadCache:
    """The `capacity` customers read last (least recently read ones go first)."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._snapshots: OrderedDict[str, Snapshot] = OrderedDict()

    def get(self, customer_id: str, revision: str) -> Snapshot | None:
        """The snapshot of the customer at `revision`, if kept."""
        snapshot = self._snapshots.get(customer_id)
        if snapshot is None or snapshot.revision != revision:
            return None
        self._snapshots.move_to_end(customer_id)
        return snapshot

    def put(self, customer_id: str, snapshot: Snapshot) -> None:
        """Keep `snapshot`, forgetting the least recently read customer when full."""
        if self._capacity <= 0:
            return
        self._snapshots[customer_id] = snapshot
        self._snapshots.move_to_end(customer_id)
        while len(self._snapshots) > self._capacity:
            self._snapshots.popitem(last=False)
