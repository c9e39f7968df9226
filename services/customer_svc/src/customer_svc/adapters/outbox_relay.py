"""Publishes the lifecycle events stored with each customer revision, at least once, in order.

An event leaves only once its change is the one stored (`Outbox.fate`): a refused or
failed write's revision is dropped unpublished, one whose writer is gone is rolled
forward after a grace period. A revision is deleted only after the broker acknowledged
all of its events; a restart resumes from what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge

from customer_svc.adapters.documents import event_from_document
from customer_svc.domain.model import PendingEvent
from customer_svc.ports import Fate, Outbox
from msc_contracts import events, fields
from msc_contracts.topics import CUSTOMER_EVENTS
from msc_platform.tracing import Carrier, publishing

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes, Carrier], Awaitable[None]]
"""Publish (key, value, headers) on `customers.events`; return once the broker acknowledged it."""
OnDeleted = Callable[[str], Awaitable[None]]


class OutboxRelay:
    """The `RelayTrigger` port: a background task that drains the `Outbox`."""

    def __init__(
        self,
        repository: Outbox,
        publish: Publish,
        on_deleted: OnDeleted,
        *,
        interval_s: float = 1.0,
        grace: dt.timedelta = dt.timedelta(seconds=10),
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._backlog = Gauge(
            "msc_outbox_backlog",
            "Stored changes whose lifecycle events are not published yet.",
            registry=registry,
        )
        self._rolled_forward = Counter(
            "msc_outbox_rolled_forward",
            "Changes the relay stored for their writer, which died or lost the reply.",
            registry=registry,
        )
        self._dropped = Counter(
            "msc_outbox_dropped",
            "Revisions dropped unpublished: refused or failed writes, stale ETags' claims.",
            registry=registry,
        )
        self._repo = repository
        self._publish = publish
        self._on_deleted = on_deleted
        self._interval_s = interval_s
        self._grace = grace
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Run the relay now rather than at the next tick."""
        self._wake.set()

    def start(self) -> None:
        """Start draining in the background."""
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop draining; unpublished events stay stored for the next start."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def drain(self) -> int:
        """Publish every pending revision whose change is stored, drop the refused ones;
        return how many events were published."""
        published = 0
        stuck: set[str] = set()
        pending = await self._repo.pending_revisions()
        self._backlog.set(len(pending))
        for revision in pending:
            customer_id = revision["customer_id"]
            if customer_id in stuck:
                continue  # keep one customer's events in version order
            fate = await self._fate(revision)
            if fate is Fate.UNDECIDED:
                stuck.add(customer_id)
                continue
            if fate is Fate.REFUSED:
                await self._repo.discard(revision)
                self._dropped.inc()
                self._backlog.dec()
                continue
            for doc in revision["events"]:
                event = event_from_document(doc)
                with publishing(CUSTOMER_EVENTS, revision.get("trace")) as headers:
                    await self._publish(customer_id, encode(customer_id, event), headers)
                if event.type == events.CUSTOMER_DELETED:
                    await self._on_deleted(customer_id)
                published += 1
            await self._repo.mark_published(revision)
            self._backlog.dec()
        return published

    async def _fate(self, revision: dict[str, Any]) -> Fate:
        fate = await self._repo.fate(revision)
        if fate is not Fate.UNDECIDED or self._repo.revision_age(revision) < self._grace:
            return fate  # an undecided one's writer is probably still writing
        log.warning("rolling forward revision %s left by a writer gone", revision["_id"])
        rolled = await self._repo.roll_forward(revision)
        if rolled:
            self._rolled_forward.inc()
        return Fate.STORED if rolled else Fate.REFUSED

    async def _run(self) -> None:
        erased = False
        while True:
            self._wake.clear()
            try:
                await self.drain()
                if not erased:  # once per start, retried until done
                    await self._repo.erase_deleted_trails()
                    erased = True
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)


def encode(customer_id: str, event: PendingEvent) -> bytes:
    """The CloudEvent of a pending lifecycle event, its `data` fitted to the contract: a
    customer stored by an earlier release under looser bounds (a 300-character legal name,
    a tab in a name) is published cut and cleaned rather than dead-lettered by every
    consumer."""
    data = fields.fit(events.EVENT_TYPES[event.type].data_model, event.data)
    return events.encode_event(
        events.CloudEvent[dict[str, Any]](
            id=event.id,
            source="urn:msc:customer-svc",
            type=event.type,
            time=event.time,
            customerid=customer_id,
            data=data,
        )
    )
