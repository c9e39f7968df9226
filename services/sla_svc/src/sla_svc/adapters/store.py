"""The `SlaStore` port: a `Storage` (MongoDB, or the unit tests' dicts) with the one memory
of this instance (`memory.Memory`), which no caller sees.

A batch's customer is loaded from memory when its head names the revision this instance
saved it at, else read; a view's from memory when its revision was found current less
than `recheck` ago or is still the head's, else read with the head first (so the figures
are at least as new as it). What a save writes is remembered once all of it is written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

from msc_platform.clock import Clock
from sla_svc.adapters.memory import Memory, Remembered
from sla_svc.domain.alerts import AlertState
from sla_svc.domain.batch import CustomerChanges, Loaded, Unfinished, needs
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.ingest import AlertChange, Change
from sla_svc.domain.job_history import SetHistory
from sla_svc.domain.jobs import JobSnapshot, JobState
from sla_svc.ports import Head
from sla_svc.snapshot import Snapshot


class Saved(NamedTuple):
    """A customer's save: the revision its head names, and the figures as now stored."""

    revision: str
    customer: CustomerSla


class Storage(Protocol):
    """The documents of SLA states and figures, read and written as they are."""

    async def heads_of(self, customer_ids: Iterable[str]) -> dict[str, Head]:
        """The head of each customer."""

    async def head(self, customer_id: str) -> Head:
        """The customer's head."""

    async def customer(self, customer_id: str) -> CustomerSla:
        """The customer's figures as stored, as a view shows them (empty if never seen)."""

    async def for_update(self, customer_id: str, head: Head) -> tuple[CustomerSla, Unfinished]:
        """The customer's figures to apply a batch to, and what the save that wrote them
        did not finish writing (nothing once the head says it finished)."""

    async def customer_jobs(self, customer_id: str) -> list[JobState]:
        """Every stored job state of the customer."""

    async def jobs(self, customer_id: str, job_ids: Iterable[str]) -> dict[str, JobState]:
        """The stored states of these jobs (missing ones left out)."""

    async def alerts(self, customer_id: str, alert_ids: Iterable[str]) -> dict[str, AlertState]:
        """The stored states of these alerts (missing ones left out)."""

    async def histories(
        self, customer_id: str, backup_set_ids: Iterable[str]
    ) -> dict[str, SetHistory]:
        """The stored job histories of these sets (missing ones left out)."""

    async def details(self, customer_id: str, hours: Iterable[str]) -> dict[str, HourDetail]:
        """The hour details of these hours (missing ones left out)."""

    async def save(self, changes: Sequence[CustomerChanges]) -> dict[str, Saved]:
        """Write the saves in the order `ports.SlaStore.save` gives."""

    async def forget(self, customer_id: str) -> None:
        """Mark the customer deleted and drop everything kept for it."""


class RememberingStore:
    """The `SlaStore` port on a `Storage`, remembering customers in one `Memory`."""

    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        customers: int,
        recheck: dt.timedelta = dt.timedelta(0),
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._memory = Memory(customers, recheck)

    async def heads_of(self, customer_ids: Iterable[str]) -> dict[str, Head]:
        return await self._storage.heads_of(customer_ids)

    async def head(self, customer_id: str) -> Head:
        return await self._storage.head(customer_id)

    async def load(
        self, customer_id: str, head: Head, events: Sequence[Change], floor_hour: str
    ) -> Loaded:
        kept = self._memory.at(customer_id, head.settled, self._clock.now())
        if kept is not None and not kept.for_batches:
            kept = None
        job_ids = {e.job_id for e in events if isinstance(e, JobSnapshot)}
        alert_ids = {e.alert_id for e in events if isinstance(e, AlertChange)}
        (customer, unfinished), jobs, alerts = await asyncio.gather(
            self._figures(customer_id, head, kept),
            self._storage.jobs(customer_id, job_ids),
            self._storage.alerts(customer_id, alert_ids),
        )
        if unfinished_ids := unfinished.jobs.keys() - jobs.keys():
            jobs |= await self._storage.jobs(customer_id, unfinished_ids)
        states = [*jobs.values(), *unfinished.jobs.values()]
        wanted = needs(events, states, [*alerts.values(), *unfinished.alerts.values()], floor_hour)
        details, histories = await asyncio.gather(
            self._details(customer_id, wanted.hours - unfinished.details.keys(), kept),
            self._histories(customer_id, wanted.backup_set_ids, kept),
        )
        return Loaded(customer, jobs, alerts, details, histories, unfinished, head.settled)

    async def _figures(
        self, customer_id: str, head: Head, kept: Remembered | None
    ) -> tuple[CustomerSla, Unfinished]:
        if kept is not None:
            return kept.snapshot.customer.copy(), Unfinished()
        customer, unfinished = await self._storage.for_update(customer_id, head)
        customer.customer_id = customer_id
        return customer, unfinished

    async def _details(
        self, customer_id: str, hours: set[str], kept: Remembered | None
    ) -> dict[str, HourDetail]:
        """The stored details of `hours`, as copies when remembered (a batch counts in them)."""
        if kept is None:
            return await self._storage.details(customer_id, hours)
        known = kept.snapshot.details
        if missing := [h for h in hours if h not in known]:
            found = await self._storage.details(customer_id, missing)
            known.update({h: found.get(h) for h in missing})
        return {h: detail.copy() for h in hours if (detail := known[h]) is not None}

    async def _histories(
        self, customer_id: str, backup_set_ids: set[str], kept: Remembered | None
    ) -> dict[str, SetHistory]:
        known = kept.histories if kept else {}
        missing = [s for s in backup_set_ids if s not in known]
        read = await self._storage.histories(customer_id, missing) if missing else {}
        if kept is not None:
            known.update({s: read.get(s) for s in missing})
        found = {s: known.get(s) or read.get(s) for s in backup_set_ids}
        return {s: h for s, h in found.items() if h is not None}

    async def customer_jobs(self, customer_id: str) -> list[JobState]:
        return await self._storage.customer_jobs(customer_id)

    async def save(self, changes: Sequence[CustomerChanges]) -> None:
        bases = {
            c.customer.customer_id: self._memory.take(c.customer.customer_id, c.base_revision)
            for c in changes
        }
        saved = await self._storage.save(changes)
        now = self._clock.now()
        for c in changes:
            cid = c.customer.customer_id
            base = bases[cid]
            # Only the details it wrote: those of every hour written before are not worth
            # their memory (a batch mostly counts in the hours the last one did).
            details: dict[str, HourDetail | None] = {d.hour: d for d in c.details}
            details |= dict.fromkeys(c.expired_details)
            histories: dict[str, SetHistory | None] = dict(base.histories) if base else {}
            histories |= {h.backup_set_id: h for h in c.histories}
            revision, customer = saved[cid]
            snapshot = Snapshot(revision, customer, details)
            self._memory.put(cid, Remembered(snapshot, histories, for_batches=True), now)

    async def snapshot(self, customer_id: str, hours: Iterable[str]) -> Snapshot | None:
        now = self._clock.now()
        hours = list(dict.fromkeys(hours))
        kept = self._memory.current(customer_id, now)
        if kept is None:
            head = await self._storage.head(customer_id)
            if head.deleted:
                return None
            kept = self._memory.at(customer_id, head.settled, now)
            if kept is None:
                return await self._read(customer_id, head.settled, hours, now)
        snapshot = kept.snapshot
        if missing := [h for h in hours if h not in snapshot.details]:
            found = await self._storage.details(customer_id, missing)
            snapshot.details.update({h: found.get(h) for h in missing})
        return snapshot

    async def _read(
        self, customer_id: str, revision: str | None, hours: list[str], now: dt.datetime
    ) -> Snapshot:
        """The figures and these details as stored, read after the head (so at least as
        new as it), remembered at `revision` (None while a save is under way: not kept)."""
        customer, found = await asyncio.gather(
            self._storage.customer(customer_id), self._storage.details(customer_id, hours)
        )
        snapshot = Snapshot(revision or "", customer, {h: found.get(h) for h in hours})
        if revision:
            self._memory.put(customer_id, Remembered(snapshot), now)
        return snapshot

    async def alerts(self, customer_id: str, alert_ids: Iterable[str]) -> dict[str, AlertState]:
        return await self._storage.alerts(customer_id, alert_ids)

    async def histories(
        self, customer_id: str, backup_set_ids: Iterable[str]
    ) -> dict[str, SetHistory]:
        return await self._storage.histories(customer_id, backup_set_ids)

    async def forget(self, customer_id: str) -> None:
        await self._storage.forget(customer_id)
        self._memory.drop(customer_id)

    def forget_all(self) -> None:
        """Forget every customer remembered (this instance's partitions were revoked)."""
        self._memory.clear()
