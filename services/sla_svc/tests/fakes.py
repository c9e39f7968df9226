"""An in-memory `Storage` for unit tests (it can crash half-way through a save), and the
service on a storage with the store's memory, each call one process of its own."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence

from msc_platform.clock import Clock
from msc_testkit.clock import FixedClock
from services.sla_svc.tests.history import NOW
from sla_svc.adapters.store import RememberingStore, Saved, Storage
from sla_svc.api.rendering import without_as_of
from sla_svc.domain.alerts import AlertState
from sla_svc.domain.batch import CustomerChanges, Unfinished
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.job_history import SetHistory
from sla_svc.domain.jobs import JobState
from sla_svc.domain.prepared import SetQuery
from sla_svc.domain.view import SlaView
from sla_svc.ports import AlertAcknowledgements, Head
from sla_svc.service import SlaService


class Crash(Exception):
    """The process died here."""


class FakeSlaStore:
    """Dicts, copied on the way in and out like a database would."""

    def __init__(self) -> None:
        self.customers: dict[str, CustomerSla] = {}
        self.details_: dict[tuple[str, str], HourDetail] = {}
        self.jobs_: dict[tuple[str, str], JobState] = {}
        self.alerts_: dict[tuple[str, str], AlertState] = {}
        self.histories_: dict[tuple[str, str], SetHistory] = {}
        self.deleted: set[str] = set()
        self.revisions: dict[str, str] = {}
        """Each head's revision of the last save begun."""
        self.finished: dict[str, str] = {}
        """Each head's revision of the last save finished."""
        self.figures_revisions: dict[str, str] = {}
        self.customer_reads = 0
        self.unfinished: dict[str, Unfinished] = {}
        self.crash_after_figures = False
        self.crash_after_counted = False
        self._saves = itertools.count()

    async def heads_of(self, customer_ids: Iterable[str]) -> dict[str, Head]:
        return {cid: await self.head(cid) for cid in customer_ids}

    async def head(self, customer_id: str) -> Head:
        return Head(
            customer_id in self.deleted,
            self.revisions.get(customer_id),
            self.finished.get(customer_id),
        )

    async def customer(self, customer_id: str) -> CustomerSla:
        self.customer_reads += 1
        return self._figures(customer_id)

    def _figures(self, customer_id: str) -> CustomerSla:
        found = self.customers.get(customer_id)
        return copy.deepcopy(found) if found else CustomerSla(customer_id=customer_id)

    async def for_update(self, customer_id: str, head: Head) -> tuple[CustomerSla, Unfinished]:
        """As the adapter: what the figures' save went on to write, unless it finished."""
        self.customer_reads += 1
        customer = self._figures(customer_id)
        if self.figures_revisions.get(customer_id) == head.finished:
            return customer, Unfinished()
        return customer, copy.deepcopy(self.unfinished.get(customer_id, Unfinished()))

    async def customer_jobs(self, customer_id: str) -> list[JobState]:
        return [job for (cid, _), job in self.jobs_.items() if cid == customer_id]

    async def jobs(self, customer_id: str, job_ids: Iterable[str]) -> dict[str, JobState]:
        return {j: self.jobs_[(customer_id, j)] for j in job_ids if (customer_id, j) in self.jobs_}

    async def alerts(self, customer_id: str, alert_ids: Iterable[str]) -> dict[str, AlertState]:
        return {
            a: self.alerts_[(customer_id, a)] for a in alert_ids if (customer_id, a) in self.alerts_
        }

    async def histories(
        self, customer_id: str, backup_set_ids: Iterable[str]
    ) -> dict[str, SetHistory]:
        found = ((s, self.histories_.get((customer_id, s))) for s in backup_set_ids)
        return {s: h for s, h in found if h is not None}

    async def details(self, customer_id: str, hours: Iterable[str]) -> dict[str, HourDetail]:
        return {
            h: copy.deepcopy(self.details_[(customer_id, h)])
            for h in hours
            if (customer_id, h) in self.details_
        }

    async def save(self, changes: Sequence[CustomerChanges]) -> dict[str, Saved]:
        begun = {c.customer.customer_id: f"r{next(self._saves)}" for c in changes}
        self.revisions.update(begun)
        for c in changes:
            cid = c.customer.customer_id
            self.customers[cid] = copy.deepcopy(c.customer)
            self.figures_revisions[cid] = begun[cid]
            self.unfinished[cid] = copy.deepcopy(
                Unfinished(
                    {j.job_id: j for j in c.jobs},
                    {a.alert_id: a for a in c.alerts},
                    {d.hour: d for d in c.details},
                    list(c.expired_details),
                )
            )
        if self.crash_after_figures:
            self.crash_after_figures = False
            raise Crash("after the figures")
        for c in changes:
            for d in c.details:
                self.details_[(d.customer_id, d.hour)] = copy.deepcopy(d)
        if self.crash_after_counted:
            self.crash_after_counted = False
            raise Crash("after the counted documents")
        for c in changes:
            cid = c.customer.customer_id
            for j in c.jobs:
                self.jobs_[(cid, j.job_id)] = j
            for a in c.alerts:
                self.alerts_[(cid, a.alert_id)] = a
            for h in c.histories:
                self.histories_[(cid, h.backup_set_id)] = h
            for hour in c.expired_details:
                self.details_.pop((cid, hour), None)
        self.finished.update(begun)
        return {cid: Saved(r, copy.deepcopy(self.customers[cid])) for cid, r in begun.items()}

    async def forget(self, customer_id: str) -> None:
        self.deleted.add(customer_id)
        self.customers.pop(customer_id, None)


class FakeAcknowledgements:
    """Acknowledgements published, kept in a list (a test applies them as it likes)."""

    def __init__(self) -> None:
        self.published: list[tuple[str, str, str, dt.datetime]] = []

    async def publish(self, customer_id: str, alert_id: str, by: str, at: dt.datetime) -> None:
        self.published.append((customer_id, alert_id, by, at))


def sla_service(
    storage: Storage,
    clock: Clock | None = None,
    customers: int = 16,
    recheck: dt.timedelta = dt.timedelta(0),
    acknowledgements: AlertAcknowledgements | None = None,
) -> SlaService:
    """The service of one process on `storage`, remembering `customers` customers."""
    clock = clock or FixedClock(NOW)
    store = RememberingStore(storage, clock, customers, recheck)
    return SlaService(store, clock, acknowledgements or FakeAcknowledgements())


async def view_of(
    sla: SlaService,
    customer_id: str,
    window: str,
    after: str | None = None,
    limit: int = 100,
    query: SetQuery = SetQuery(),
) -> SlaView:
    """The SLA tab as the API asks for it."""
    view, _ = await sla.rendered_view(customer_id, window, after, limit, without_as_of, query)
    return view
