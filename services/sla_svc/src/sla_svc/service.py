"""Use cases of the SLA tab: apply delivered events, read the view, rate health."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from msc_contracts.vocabulary import Health
from msc_platform.clock import Clock
from sla_svc.domain.alerts import Acknowledged, AlertState, Raised, newest_open
from sla_svc.domain.batch import CustomerChanges, apply_batch, with_latest_found
from sla_svc.domain.ingest import Change, Outcome
from sla_svc.domain.job_history import SetHistory
from sla_svc.domain.prepared import SetQuery
from sla_svc.domain.time_keys import hour_key, instant
from sla_svc.domain.view import LONGEST_WINDOW, WINDOWS, SlaView, Window, sla_health, sla_view
from sla_svc.ports import AlertAcknowledgements, SlaStore
from sla_svc.snapshot import Render, Snapshot


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


class SlaService:
    """The SLA service's use cases."""

    def __init__(
        self, store: SlaStore, clock: Clock, acknowledgements: AlertAcknowledgements
    ) -> None:
        self._store = store
        self._clock = clock
        self._acknowledgements = acknowledgements

    async def apply(self, events: Sequence[Change]) -> Outcome:
        """Apply a batch of events in stream order: each customer's loaded, its events
        applied, and all saved together; events of deleted customers are dropped."""
        by_customer: dict[str, list[Change]] = {}
        for event in events:
            by_customer.setdefault(event.customer_id, []).append(event)
        heads = await self._store.heads_of(by_customer)
        live = {cid: batch for cid, batch in by_customer.items() if not heads[cid].deleted}
        floor_hour = hour_key(self._clock.now() - LONGEST_WINDOW - dt.timedelta(hours=1))
        loaded = await asyncio.gather(
            *(self._store.load(cid, heads[cid], batch, floor_hour) for cid, batch in live.items())
        )
        applied = [
            apply_batch(customer, batch, floor_hour)
            for customer, batch in zip(loaded, live.values(), strict=True)
        ]
        await asyncio.gather(*(self._find_latest(c) for c, _ in applied if c.latest_unknown))
        await self._store.save([changes for changes, _ in applied])
        dropped = Outcome(dropped=len(events) - sum(len(batch) for batch in live.values()))
        return sum((outcome for _, outcome in applied), dropped)

    async def _find_latest(self, changes: CustomerChanges) -> None:
        """The rare set whose latest jobs all fell: found again among all the customer's
        job states, read once whatever the number of such sets."""
        with_latest_found(changes, await self._store.customer_jobs(changes.customer.customer_id))

    async def rendered_view(
        self,
        customer_id: str,
        window: str,
        after: str | None,
        limit: int,
        render: Render,
        query: SetQuery = SetQuery(),
    ) -> tuple[SlaView, bytes]:
        """The SLA tab of a customer now (`query`: the backup set table's order and filter),
        and `render` of it (which must not depend on `as_of`), done once for as long as the
        view stays the same."""
        if window not in WINDOWS:
            raise UnknownWindow(window)
        frame = Window(window, self._as_of())
        snapshot = await self._snapshot(customer_id, frame.edge_hours)
        key = (window, after, limit, query)
        kept = snapshot.view(key, frame.as_of)
        if kept is None:
            details = snapshot.details_of(frame.edge_hours)
            kept = snapshot.keep(key, sla_view(snapshot.sla, details, frame, after, limit, query))
        return kept.at(frame.as_of), kept.rendered(render)

    async def health(self, customer_ids: Sequence[str]) -> dict[str, Health]:
        """The health badge of each customer (deleted ones are left out)."""
        as_of = self._as_of()
        week = Window("7d", as_of)

        async def one(cid: str) -> Health | None:
            snapshot = await self._store.snapshot(cid, week.edge_hours)
            if snapshot is None:
                return None
            return sla_health(snapshot.sla, snapshot.details_of(week.edge_hours), as_of)

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

    async def _snapshot(self, customer_id: str, hours: Sequence[str] = ()) -> Snapshot:
        """The customer's figures as stored, with these hour details known;
        `CustomerDeleted` for a deleted customer."""
        snapshot = await self._store.snapshot(customer_id, hours)
        if snapshot is None:
            raise CustomerDeleted(customer_id)
        return snapshot

    def _as_of(self) -> dt.datetime:
        return self._clock.now().replace(microsecond=0)
