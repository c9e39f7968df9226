"""Customers' figures recently read, each kept while the customer's revision is unchanged.

A read asks the store for the customer's head (a small document naming the revision of
its last finished save); only when that differs from the kept one are the figures read
again, so a view of a quiet customer costs one small read instead of its figures (see
bench/results.md, the warm and cold SLA views). A revision found
current is trusted for `recheck` (one second by default) without asking again, so views
asked for in quick succession touch no database; figures another instance saves show
here after at most that long. The figures this process has just saved replace the kept
ones (`refresh`) and a customer it deletes is dropped (`drop`), so what this process
writes shows at once. A view asked for again is answered as it was (with the new `as_of`)
until the first instant at which it could differ (`SlaView.valid_until`), and its JSON is
rendered once (`KeptView.rendered`). So this one object, keyed by customer (its
revision) and view, owns every cached thing of the read side.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.prepared import PreparedSla, SetQuery
from sla_svc.domain.view import SlaView

ViewKey = tuple[str, str | None, int, SetQuery]
"""A view's window, cursor and page size."""
VIEWS_PER_SNAPSHOT = 16
Render = Callable[[SlaView], bytes]


@dataclass
class KeptView:
    """A view computed from a snapshot, and its rendering once asked for. Until
    `view.valid_until` it is the answer to its key at any `as_of`, so whatever of the
    rendering does not depend on `as_of` is done once."""

    view: SlaView
    _rendered: bytes | None = None

    def at(self, as_of: dt.datetime) -> SlaView:
        """The view as of `as_of`."""
        return replace(self.view, as_of=as_of)

    def rendered(self, render: Render) -> bytes:
        """`render(view)`, computed on first use (`render` must not depend on `as_of`)."""
        if self._rendered is None:
            self._rendered = render(self.view)
        return self._rendered


@dataclass
class Snapshot:
    """A snapshot of a customer's stored figures at one revision: the figures, prepared, the
    hour details read at that revision, and the views last answered from them."""

    revision: str
    customer: CustomerSla
    details: dict[str, HourDetail | None] = field(default_factory=dict)
    views: dict[ViewKey, KeptView] = field(default_factory=dict)
    checked_at: dt.datetime | None = None
    """When `revision` was last known to be the stored one."""

    @cached_property
    def sla(self) -> PreparedSla:
        """The figures prepared, on first use."""
        return PreparedSla(self.customer)

    def view(self, key: ViewKey, as_of: dt.datetime) -> KeptView | None:
        """The view kept for `key`, if it is still the answer at `as_of`."""
        kept = self.views.get(key)
        if kept is None or not kept.view.as_of <= as_of < kept.view.valid_until:
            return None
        return kept

    def keep(self, key: ViewKey, view: SlaView) -> KeptView:
        """Keep `view`; only the last few pages asked for are kept."""
        kept = KeptView(view)
        self.views.pop(key, None)
        self.views[key] = kept
        if len(self.views) > VIEWS_PER_SNAPSHOT:
            del self.views[next(iter(self.views))]
        return kept


class ReadCache:
    """The `capacity` customers read last (least recently read ones go first), each trusted
    to be current for `recheck` after its revision was last found current (0: never)."""

    def __init__(self, capacity: int, recheck: dt.timedelta = dt.timedelta(0)) -> None:
        self._capacity = capacity
        self._recheck = recheck
        self._snapshots: OrderedDict[str, Snapshot] = OrderedDict()

    def current(self, customer_id: str, now: dt.datetime) -> Snapshot | None:
        """The customer's snapshot, if its revision was found current less than `recheck`
        before `now`."""
        snapshot = self._snapshots.get(customer_id)
        checked = snapshot.checked_at if snapshot else None
        if snapshot is None or checked is None or not checked <= now < checked + self._recheck:
            return None
        self._snapshots.move_to_end(customer_id)
        return snapshot

    def get(self, customer_id: str, revision: str, now: dt.datetime) -> Snapshot | None:
        """The snapshot of the customer at `revision`, found current at `now`, if kept."""
        snapshot = self._snapshots.get(customer_id)
        if snapshot is None or snapshot.revision != revision:
            return None
        snapshot.checked_at = now
        self._snapshots.move_to_end(customer_id)
        return snapshot

    def refresh(self, customer_id: str, snapshot: Snapshot, now: dt.datetime) -> None:
        """Replace the customer's snapshot by one just saved at `now`, if the customer is
        kept (one that is only written, never read, is not worth keeping)."""
        if customer_id in self._snapshots:
            snapshot.checked_at = now
            self._snapshots[customer_id] = snapshot

    def put(self, customer_id: str, snapshot: Snapshot, now: dt.datetime) -> None:
        """Keep `snapshot`, found current at `now`, forgetting the least recently read
        customer when full; one kept that was found current later stays (the consumer
        saved it while this one was being read)."""
        kept = self._snapshots.get(customer_id)
        if self._capacity <= 0 or (kept and kept.checked_at and kept.checked_at > now):
            return
        snapshot.checked_at = now
        self._snapshots[customer_id] = snapshot
        self._snapshots.move_to_end(customer_id)
        while len(self._snapshots) > self._capacity:
            self._snapshots.popitem(last=False)

    def drop(self, customer_id: str) -> None:
        """Forget the customer (it was deleted)."""
        self._snapshots.pop(customer_id, None)
