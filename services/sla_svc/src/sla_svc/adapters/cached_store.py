"""A cache of job and alert states in front of the store, valid while this instance owns
the customers' partitions (Kafka gives one writer per customer).

Only immutable states are kept, so nothing cached can be changed by a batch that fails;
any failure, and any rebalance, empties the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from sla_svc.domain.alerts import AlertState
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.jobs import JobState
from sla_svc.ports import CustomerChanges, SlaStore

State = TypeVar("State", JobState, AlertState)


class _Lru(Generic[State]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], State] = OrderedDict()

    def split(self, customer_id: str, ids: Iterable[str]) -> tuple[dict[str, State], list[str]]:
        found, missing = {}, []
        for i in ids:
            state = self._items.get((customer_id, i))
            if state is None:
                missing.append(i)
            else:
                self._items.move_to_end((customer_id, i))
                found[i] = state
        return found, missing

    def put(self, customer_id: str, key: str, state: State) -> None:
        self._items[(customer_id, key)] = state
        self._items.move_to_end((customer_id, key))
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


class CachedSlaStore:
    """`SlaStore` that remembers the job and alert states it last read or wrote."""

    def __init__(self, inner: SlaStore, size: int = 100_000) -> None:
        self._inner = inner
        self._jobs: _Lru[JobState] = _Lru(size)
        self._alerts: _Lru[AlertState] = _Lru(size // 4)

    def clear(self) -> None:
        """Forget everything (partitions moved, or a batch failed)."""
        self._jobs.clear()
        self._alerts.clear()

    async def deleted_among(self, customer_ids: Iterable[str]) -> set[str]:
        """Delegated."""
        return await self._inner.deleted_among(customer_ids)

    async def customer(self, customer_id: str) -> CustomerSla:
        """Delegated: the figures are mutable, so they are always read."""
        return await self._inner.customer(customer_id)

    async def details(self, customer_id: str, hours: Iterable[str]) -> dict[str, HourDetail]:
        """Delegated."""
        return await self._inner.details(customer_id, hours)

    async def jobs(self, customer_id: str, job_ids: Iterable[str]) -> dict[str, JobState]:
        """Cached job states, the rest from the store."""
        found, missing = self._jobs.split(customer_id, job_ids)
        if missing:
            read = await self._inner.jobs(customer_id, missing)
            for key, state in read.items():
                self._jobs.put(customer_id, key, state)
            found |= read
        return found

    async def alerts(self, customer_id: str, alert_ids: Iterable[str]) -> dict[str, AlertState]:
        """Cached alert states, the rest from the store."""
        found, missing = self._alerts.split(customer_id, alert_ids)
        if missing:
            read = await self._inner.alerts(customer_id, missing)
            for key, state in read.items():
                self._alerts.put(customer_id, key, state)
            found |= read
        return found

    async def save(self, changes: Sequence[CustomerChanges]) -> None:
        """Write through; on any failure forget everything."""
        try:
            await self._inner.save(changes)
        except BaseException:
            self.clear()
            raise
        for c in changes:
            for job in c.jobs:
                self._jobs.put(c.customer.customer_id, job.job_id, job)
            for alert in c.alerts:
                self._alerts.put(c.customer.customer_id, alert.alert_id, alert)

    async def forget(self, customer_id: str) -> None:
        """Delegated; the cache is emptied (a deletion is rare)."""
        self.clear()
        await self._inner.forget(customer_id)
