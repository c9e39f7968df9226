"""The store's one memory of customers: each as this instance last wrote or read it, at
the revision its head named then.

An entry is good only at its revision: while the customer's head names that revision as
settled (`ports.Head.settled`), nobody has written the customer since (one writer per
customer; another writer's save, after a rebalance, names a new revision first). A read
trusts an entry without asking the head again for `recheck` after it was last found
current. An entry is taken out when a save of its customer begins and put back only once
all of the save is written; the whole memory is dropped when the consumer's partitions are
revoked. The customers used least recently go first, beyond `customers` of them or
`histories` job histories in all.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

from sla_svc.domain.job_history import SetHistory
from sla_svc.snapshot import Snapshot

HISTORIES = 20_000
"""Job histories kept in all, by default."""


@dataclass
class Remembered:
    """One customer at one revision: its figures, the hour details and job histories known
    at that revision (None where there is none), and whether a batch may apply to these
    figures (those a view read may be of an earlier stored format: `MongoSlaStore.customer`)."""

    snapshot: Snapshot
    histories: dict[str, SetHistory | None] = field(default_factory=dict)
    for_batches: bool = False

    @property
    def revision(self) -> str:
        """The revision the customer is remembered at."""
        return self.snapshot.revision


class Memory:
    """What the store remembers of each customer (see the module's docstring)."""

    def __init__(
        self,
        customers: int,
        recheck: dt.timedelta = dt.timedelta(0),
        histories: int = HISTORIES,
    ) -> None:
        self._customers = customers
        self._recheck = recheck
        self._histories = histories
        self._kept: OrderedDict[str, Remembered] = OrderedDict()

    def current(self, customer_id: str, now: dt.datetime) -> Remembered | None:
        """The customer, if its revision was found current less than `recheck` before `now`."""
        kept = self._kept.get(customer_id)
        checked = kept.snapshot.checked_at if kept else None
        if kept is None or checked is None or not checked <= now < checked + self._recheck:
            return None
        self._kept.move_to_end(customer_id)
        return kept

    def at(self, customer_id: str, revision: str | None, now: dt.datetime) -> Remembered | None:
        """The customer at `revision`, which its head names as settled at `now`, if kept."""
        kept = self._kept.get(customer_id)
        if kept is None or revision is None or kept.revision != revision:
            return None
        kept.snapshot.checked_at = now
        self._kept.move_to_end(customer_id)
        return kept

    def take(self, customer_id: str, revision: str | None) -> Remembered | None:
        """Forget the customer (a save of it begins); what was known at `revision`."""
        kept = self._kept.pop(customer_id, None)
        return kept if kept is not None and kept.revision == revision else None

    def put(self, customer_id: str, remembered: Remembered, now: dt.datetime) -> None:
        """Keep the customer, found current at `now`; one kept that was found current later
        stays (a save finished while this was being read)."""
        kept = self._kept.get(customer_id)
        if self._customers <= 0 or (
            kept and kept.snapshot.checked_at and kept.snapshot.checked_at > now
        ):
            return
        remembered.snapshot.checked_at = now
        self._kept[customer_id] = remembered
        self._kept.move_to_end(customer_id)
        total = sum(len(r.histories) for r in self._kept.values())
        while self._kept and (len(self._kept) > self._customers or total > self._histories):
            _, oldest = self._kept.popitem(last=False)
            total -= len(oldest.histories)

    def drop(self, customer_id: str) -> None:
        """Forget the customer (it was deleted)."""
        self._kept.pop(customer_id, None)

    def clear(self) -> None:
        """Forget every customer (the partitions were revoked)."""
        self._kept.clear()
