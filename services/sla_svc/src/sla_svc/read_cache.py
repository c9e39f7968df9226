"""Customers' figures recently read, each kept while the customer's revision is unchanged.

A read first asks the store for the customer's revision (a small document written after
every save); only when it differs from the cached one are the figures read again. On
FerretDB, where reading a large customer's figures costs tens of milliseconds and a
revision one small read, repeated views of a quiet customer cost about one `find_one`.
The figures this process has just saved replace the kept ones (`refresh`), so a customer
read here and written by this process's consumer is not read again after each batch;
a view asked for again is answered as it was (with the new `as_of`) until the first instant
at which it could differ (`SlaView.valid_until`).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.prepared import PreparedSla
from sla_svc.domain.view import SlaView

ViewKey = tuple[str, str | None, int]
VIEWS_PER_SNAPSHOT = 16


@dataclass
class Snapshot:
    """A customer's figures at one revision, prepared, the hour details read at that
    revision, and the views last answered from them (window, cursor, limit)."""

    revision: str
    customer: CustomerSla
    details: dict[str, HourDetail | None] = field(default_factory=dict)
    views: dict[ViewKey, SlaView] = field(default_factory=dict)

    @cached_property
    def sla(self) -> PreparedSla:
        """The figures prepared, on first use."""
        return PreparedSla(self.customer)

    def view(self, key: ViewKey, as_of: dt.datetime) -> SlaView | None:
        """The view kept for `key`, as of `as_of`, when it is still the same then."""
        kept = self.views.get(key)
        if kept is None or not kept.as_of <= as_of < kept.valid_until:
            return None
        return replace(kept, as_of=as_of)

    def keep(self, key: ViewKey, view: SlaView) -> None:
        """Keep `view`; only the last few pages asked for are kept."""
        self.views.pop(key, None)
        self.views[key] = view
        if len(self.views) > VIEWS_PER_SNAPSHOT:
            del self.views[next(iter(self.views))]


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

    def refresh(self, customer_id: str, snapshot: Snapshot) -> None:
        """Replace the customer's snapshot by a newer one, if the customer is kept (one that
        is only written, never read, is not worth keeping)."""
        if customer_id in self._snapshots:
            self._snapshots[customer_id] = snapshot

    def put(self, customer_id: str, snapshot: Snapshot) -> None:
        """Keep `snapshot`, forgetting the least recently read customer when full."""
        if self._capacity <= 0:
            return
        self._snapshots[customer_id] = snapshot
        self._snapshots.move_to_end(customer_id)
        while len(self._snapshots) > self._capacity:
            self._snapshots.popitem(last=False)
