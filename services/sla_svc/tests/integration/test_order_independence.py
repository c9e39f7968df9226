"""Property: on the real database, any order and repetition of delivery gives the same SLA
tab as ordered, duplicate-free delivery (CONTRACT.md section 2)."""

from __future__ import annotations

import asyncio
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import AsyncMongoClient

from msc_testkit.infrastructure import Endpoints
from services.sla_svc.tests.fakes import sla_service, view_of
from services.sla_svc.tests.history import clear, delete_set, deliver, job, raise_, upsert
from sla_svc.adapters.mongo_store import MongoSlaStore
from sla_svc.domain.ingest import AlertRaised, Change, SetChanged
from sla_svc.domain.jobs import JobSnapshot
from sla_svc.domain.view import SlaView

SETS = ["bs-1", "bs-2", "bs-3"]
STATUSES = ["queued", "running", "successful", "successful_with_errors", "failed", "canceled"]
TERMINAL = {"successful", "successful_with_errors", "failed", "canceled"}


@st.composite
def job_history(draw: st.DrawFn, job_id: str) -> list[Change]:
    """A job's snapshots: consistent started_at, terminal ones with an ended_at."""
    set_id = draw(st.sampled_from(SETS))
    job_type = draw(st.sampled_from(["backup", "backup", "restore"]))
    start = draw(st.integers(min_value=2, max_value=24 * 35))  # hours ago
    snapshots = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        status = draw(st.sampled_from(STATUSES))
        at = (
            start
            - draw(st.integers(min_value=0, max_value=2))
            - draw(st.sampled_from([0, 0.25, 0.5]))
        )
        snapshots.append(
            job(
                job_id,
                status,
                at,
                set_id=set_id,
                job_type=job_type,
                started_hours_ago=None if status == "queued" else start,
            )
        )
    return snapshots


@st.composite
def histories(draw: st.DrawFn) -> list[Change]:
    changes: list[Change] = []
    for i in range(draw(st.integers(min_value=1, max_value=8))):
        changes += draw(job_history(f"j{i}"))
    for set_id in SETS:
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            hours = draw(st.integers(min_value=1, max_value=24 * 40))
            maker = draw(st.sampled_from([upsert, upsert, delete_set]))
            changes.append(maker(set_id, hours))
    for i in range(draw(st.integers(min_value=0, max_value=4))):
        severity = draw(st.sampled_from(["critical", "warning", "info"]))
        changes.append(
            raise_(
                f"a{i}",
                severity,
                draw(st.integers(1, 24 * 10)),
                draw(st.sampled_from([None, *SETS])),
            )
        )
        if draw(st.booleans()):
            changes.append(clear(f"a{i}"))
    return changes


async def views_of(endpoints: Endpoints, deliveries: list[list[Change]]) -> list[SlaView]:
    """Deliver each list (in batches of 3) to a fresh customer, viewing it after each batch;
    return the 24h/7d/30d views. These come from the figures the service kept as it saved
    them, so they are checked against a read of the stored ones."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(endpoints.mongodb, tz_aware=True)
    windows = ("24h", "7d", "30d")
    try:
        store = MongoSlaStore(client["it_sla_property"])
        service = sla_service(store)
        uncached = sla_service(store, customers=0)
        views = []
        for changes in deliveries:
            cid = f"prop-{uuid.uuid4().hex[:10]}"
            stream = deliver(cid, changes)
            for start in range(0, len(stream), 3):
                await service.apply(stream[start : start + 3])
                await view_of(service, cid, "7d")
            kept = await asyncio.gather(*(view_of(service, cid, w) for w in windows))
            assert kept == await asyncio.gather(*(view_of(uncached, cid, w) for w in windows))
            views.append(kept)
        return [v for per_customer in views for v in per_customer]
    finally:
        await client.close()


def in_time_order(history: list[Change]) -> list[Change]:
    """The history as an agent would send it: by event time, a clear after its raise."""
    raised_at = {c.alert_id: c.raised.order for c in history if isinstance(c, AlertRaised)}

    def when(change: Change) -> str:
        if isinstance(change, JobSnapshot):
            return change.time
        if isinstance(change, SetChanged):
            return change.presence.order
        if isinstance(change, AlertRaised):
            return change.raised.order
        return raised_at.get(change.alert_id, "") + "~"

    return sorted(history, key=when)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories(), data=st.data())
def test_any_order_and_repetition_gives_the_ordered_result(
    infrastructure: Endpoints, history: list[Change], data: st.DataObject
) -> None:
    repeated = history + data.draw(st.lists(st.sampled_from(history), max_size=len(history)))
    shuffled = list(data.draw(st.permutations(repeated)))
    views = asyncio.run(views_of(infrastructure, [in_time_order(history), shuffled]))
    assert views[3:] == views[:3]
