"""Use cases of the SLA tab: apply delivered events, read the view, rate health."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from msc_contracts.vocabulary import Health
from msc_platform.clock import Clock
from sla_svc.domain.alerts import Acknowledged, AlertState, Raised, newest_open
from sla_svc.domain.backup_sets import rebuilt
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.ingest import AlertChange, Change, count_details, ingest
from sla_svc.domain.job_history import SetHistory, record, without
from sla_svc.domain.jobs import JobSnapshot, JobState
from sla_svc.domain.prepared import SetQuery
from sla_svc.domain.time_keys import hour_key, instant
from sla_svc.domain.view import (
    LONGEST_WINDOW,
    WINDOWS,
    SlaView,
    Window,
    sla_health,
    sla_view,
)
from sla_svc.ports import AlertAcknowledgements, CustomerChanges, Head, SlaStore
from sla_svc.read_cache import KeptView, ReadCache, Render, Snapshot


class CustomerDeleted(Exception):
    """customer_svc deleted this customer; it has no SLA any more."""


class UnknownWindow(ValueError):
    """The window is not one of `24h`, `7d`, `30d`."""


class UnknownAlert(Exception):
    """The customer has no alert of that id (or its `raised` has not arrived)."""


class AlertAlreadyCleared(Exception):
    """The alert is cleared: there is nothing left to acknowledge."""


@dataclass(frozen=True)
class AlertsPage:
    """Open alerts, newest raised first, and the cursor of the next page."""

    alerts: list[AlertState]
    next_cursor: str | None


@dataclass(frozen=True)
class CustomerEvent:
    """A delivered event addressed to one customer."""

    customer_id: str
    change: Change


@dataclass(frozen=True)
class Outcome:
    """What a batch did: events that changed something, that changed nothing, that were
    dropped (their customer is deleted). The service's own account, in business terms; the
    consumer reports it to the Kafka plumbing as `msc_platform.event_consumer.Applied`."""

    applied: int
    unchanged: int
    dropped: int


class SlaService:
    """The SLA service's use cases."""

    def __init__(
        self,
        store: SlaStore,
        clock: Clock,
        read_cache: ReadCache,
        acknowledgements: AlertAcknowledgements,
    ) -> None:
        self._store = store
        self._clock = clock
        self._read_cache = read_cache
        self._acknowledgements = acknowledgements

    async def apply(self, events: Sequence[CustomerEvent]) -> Outcome:
        """Apply a batch of events in stream order; events of deleted customers are dropped."""
        by_customer: dict[str, list[Change]] = {}
        for e in events:
            by_customer.setdefault(e.customer_id, []).append(e.change)
        heads = await self._store.heads_of(by_customer)
        live = {cid: d for cid, d in by_customer.items() if not heads[cid].deleted}
        floor_hour = hour_key(self._clock.now() - LONGEST_WINDOW - dt.timedelta(hours=1))
        results = await asyncio.gather(
            *(
                self._changes(cid, delivered, floor_hour, heads[cid])
                for cid, delivered in live.items()
            )
        )
        saved = [changes for changes, _ in results]
        revisions = await self._store.save(saved)
        saved_at = self._clock.now()
        for changes in saved:
            cid = changes.customer.customer_id
            details: dict[str, HourDetail | None] = {d.hour: d for d in changes.details}
            details |= dict.fromkeys(changes.expired_details)
            self._read_cache.refresh(
                cid, Snapshot(revisions[cid], changes.customer, details), saved_at
            )
        kept = sum(len(d) for d in live.values())
        unchanged = sum(n for _, n in results)
        return Outcome(applied=kept - unchanged, unchanged=unchanged, dropped=len(events) - kept)

    async def view(
        self,
        customer_id: str,
        window: str,
        after: str | None = None,
        limit: int = 100,
        query: SetQuery = SetQuery(),
    ) -> SlaView:
        """The SLA tab of a customer now (`query`: the backup set table's order and filter)."""
        kept, as_of = await self._kept_view(customer_id, window, after, limit, query)
        return kept.at(as_of)

    async def rendered_view(
        self,
        customer_id: str,
        window: str,
        after: str | None,
        limit: int,
        render: Render,
        query: SetQuery = SetQuery(),
    ) -> tuple[SlaView, bytes]:
        """The SLA tab now, and `render` of it (which must not depend on `as_of`), done
        once for as long as the view stays the same."""
        kept, as_of = await self._kept_view(customer_id, window, after, limit, query)
        return kept.at(as_of), kept.rendered(render)

    async def _kept_view(
        self, customer_id: str, window: str, after: str | None, limit: int, query: SetQuery
    ) -> tuple[KeptView, dt.datetime]:
        if window not in WINDOWS:
            raise UnknownWindow(window)
        frame = Window(window, self._as_of())
        snapshot, details = await self._figures(customer_id, frame.edge_hours)
        key = (window, after, limit, query)
        kept = snapshot.view(key, frame.as_of)
        if kept is None:
            view = sla_view(snapshot.sla, details, frame, after, limit, query)
            kept = snapshot.keep(key, view)
        return kept, frame.as_of

    async def health(self, customer_ids: Sequence[str]) -> dict[str, Health]:
        """The health badge of each customer (deleted ones are left out)."""
        as_of = self._as_of()
        week = Window("7d", as_of)

        async def one(cid: str) -> Health | None:
            try:
                snapshot, details = await self._figures(cid, week.edge_hours)
            except CustomerDeleted:
                return None
            return sla_health(snapshot.sla, details, as_of)

        ids = list(dict.fromkeys(customer_ids))
        badges = await asyncio.gather(*(one(c) for c in ids))
        return {cid: badge for cid, badge in zip(ids, badges, strict=True) if badge is not None}

    async def open_alerts(
        self, customer_id: str, severity: str | None, after: str | None, limit: int
    ) -> AlertsPage:
        """The customer's open alerts, newest raised first, of one severity or all."""
        index = (await self._snapshot(customer_id)).customer.open_alert_index
        ids, next_cursor = newest_open(index, severity, after, limit)
        states = await self._store.alerts(customer_id, ids)
        # The figures are written before the alert states: an alert just raised may have
        # no state yet, for a moment; its row shows what the figures know of it meanwhile.
        fallback = {a: AlertState(a, Raised("", *index[a])) for a in ids}
        return AlertsPage([states.get(a) or fallback[a] for a in ids], next_cursor)

    async def acknowledge(self, customer_id: str, alert_id: str, by: str) -> Acknowledged:
        """Acknowledge an open alert as `by`; an alert acknowledged already keeps (and
        answers) its first acknowledgement. It takes effect once its event is applied."""
        await self._not_deleted(customer_id)
        state = (await self._store.alerts(customer_id, [alert_id])).get(alert_id)
        if state is None or state.raised is None:
            raise UnknownAlert(alert_id)
        if state.cleared:
            raise AlertAlreadyCleared(alert_id)
        if state.acknowledged is not None:
            return state.acknowledged
        at = self._as_of()
        await self._acknowledgements.publish(customer_id, alert_id, by, at)
        return Acknowledged(order="", time=instant(at), by=by)

    async def job_history(self, customer_id: str, backup_set_id: str) -> SetHistory:
        """The latest jobs of one of the customer's sets, newest first."""
        await self._not_deleted(customer_id)
        found = await self._store.histories(customer_id, [backup_set_id])
        return found.get(backup_set_id) or SetHistory(backup_set_id)

    async def _not_deleted(self, customer_id: str) -> None:
        if (await self._store.head(customer_id)).deleted:
            raise CustomerDeleted(customer_id)

    async def forget(self, customer_id: str) -> None:
        """Rule 6: the customer was deleted."""
        await self._store.forget(customer_id)
        self._read_cache.drop(customer_id)

    async def _changes(
        self, customer_id: str, changes: list[Change], floor_hour: str, head: Head
    ) -> tuple[CustomerChanges, int]:
        job_ids = {c.job_id for c in changes if isinstance(c, JobSnapshot)}
        alert_ids = {c.alert_id for c in changes if isinstance(c, AlertChange)}
        (customer, unfinished), jobs, alerts = await asyncio.gather(
            self._store.for_update(customer_id, head),
            self._store.jobs(customer_id, job_ids),
            self._store.alerts(customer_id, alert_ids),
        )
        customer.customer_id = customer_id
        # What the last save did not finish writing is newer than what is stored, and
        # the counters have counted it: apply the batch to it, and write it again.
        stored_jobs = dict(jobs)
        if unfinished_ids := unfinished.jobs.keys() - jobs.keys():
            stored_jobs |= await self._store.jobs(customer_id, unfinished_ids)
        jobs |= unfinished.jobs
        alerts |= unfinished.alerts
        done = ingest(customer, jobs, alerts, changes, floor_hour)
        done.jobs = unfinished.jobs | done.jobs
        done.alerts = unfinished.alerts | done.alerts
        by_set: dict[str, list[JobState]] = {}
        for job in done.jobs.values():
            by_set.setdefault(job.backup_set_id, []).append(job)
        left: dict[str, list[str]] = {}  # sets that jobs left, by this save or the last
        for moved in (done.moved, _moved_by(unfinished.jobs, stored_jobs)):
            for job_id, old_set in moved.items():
                left.setdefault(old_set, []).append(job_id)
        delta_hours = {d.hour for d in done.detail_deltas} - unfinished.details.keys()
        stored, histories = await asyncio.gather(
            self._store.details(customer_id, delta_hours),
            self._store.histories(customer_id, by_set.keys() | left.keys(), head.settled),
        )
        touched = count_details(customer_id, stored | unfinished.details, done.detail_deltas)
        expired = set(done.expired_details) | set(unfinished.expired_details)
        details = {d.hour: d for d in [*unfinished.details.values(), *touched]}
        await self._find_latest_jobs(customer_id, customer, done.jobs, left)
        recorded = {
            set_id: record(histories.get(set_id) or SetHistory(set_id), set_jobs)
            for set_id, set_jobs in by_set.items()
        }
        for set_id, gone in left.items():
            if (history := recorded.get(set_id) or histories.get(set_id)) is not None:
                recorded[set_id] = without(history, gone)
        result = CustomerChanges(
            customer=customer,
            details=[d for hour, d in details.items() if hour not in expired],
            jobs=list(done.jobs.values()),
            alerts=list(done.alerts.values()),
            histories=list(recorded.values()),
            expired_details=sorted(expired),
            base_revision=head.settled,
        )
        return result, done.unchanged

    async def _find_latest_jobs(
        self,
        customer_id: str,
        customer: CustomerSla,
        batch: dict[str, JobState],
        left: Iterable[str],
    ) -> None:
        """Rebuild the latest jobs of the sets whose kept ones all fell (`latest.py`), from
        one read of the customer's job states whatever their number."""
        touched = {job.backup_set_id for job in batch.values()} | set(left)
        unknown = [s for s in touched if (bs := customer.sets.get(s)) and bs.latest.unknown]
        if not unknown:
            return
        states = {j.job_id: j for j in await self._store.customer_jobs(customer_id)} | batch
        for set_id in unknown:
            of_set = (s for s in states.values() if s.backup_set_id == set_id)
            customer.sets[set_id] = rebuilt(customer.sets[set_id], of_set)

    async def _figures(
        self, customer_id: str, hours: Sequence[str]
    ) -> tuple[Snapshot, dict[str, HourDetail]]:
        """The customer's figures and these hour details, from the read cache when current;
        `CustomerDeleted` for a deleted customer."""
        snapshot = await self._snapshot(customer_id, hours)
        missing = [h for h in dict.fromkeys(hours) if h not in snapshot.details]
        if missing:
            found = await self._store.details(customer_id, missing)
            snapshot.details.update({h: found.get(h) for h in missing})
        return snapshot, {h: d for h in hours if (d := snapshot.details[h])}

    async def _snapshot(self, customer_id: str, hours: Sequence[str] = ()) -> Snapshot:
        now = self._clock.now()
        snapshot = self._read_cache.current(customer_id, now) or await self._read(
            customer_id, now, hours
        )
        if snapshot is None:
            raise CustomerDeleted(customer_id)
        return snapshot

    async def _read(
        self, customer_id: str, now: dt.datetime, hours: Sequence[str]
    ) -> Snapshot | None:
        """The customer's figures at its stored revision (kept ones if that is the kept
        revision), read together with the details of `hours`; None for a deleted customer."""
        head = await self._store.head(customer_id)
        if head.deleted:
            return None
        revision = head.settled  # None while a save is under way: nothing to keep then
        snapshot = self._read_cache.get(customer_id, revision, now) if revision else None
        if snapshot is None:
            # Read after the head, the figures and details are at least as new as it.
            customer, found = await asyncio.gather(
                self._store.customer(customer_id), self._store.details(customer_id, hours)
            )
            snapshot = Snapshot(revision or "", customer, {h: found.get(h) for h in hours})
            if revision:
                self._read_cache.put(customer_id, snapshot, now)
        return snapshot

    def _as_of(self) -> dt.datetime:
        return self._clock.now().replace(microsecond=0)


def _moved_by(unfinished: dict[str, JobState], stored: dict[str, JobState]) -> dict[str, str]:
    """Jobs a save that did not finish moved to another set, with the set they left (its
    figures say so already; the set's history is still to be written)."""
    return {
        job_id: before.backup_set_id
        for job_id, state in unfinished.items()
        if (before := stored.get(job_id)) is not None
        and before.backup_set_id != state.backup_set_id
    }
