"""Usage of customers that do not exist is never stored or held, on the real broker and
database: what an instance holds is bounded by the live customers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.adapters.mongo_usage import MongoUsageRepository
from customer_svc.config import Settings
from customer_svc.domain.consumption import DailyUsage, UsageReport
from customer_svc.domain.model import Account, Customer, ServicePlan
from customer_svc.main import create_app
from msc_contracts.topics import BACKUP_USAGE, dead_letter_topic
from msc_platform.clock import SystemClock
from msc_platform.group_progress import GroupProgress
from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually, publish, read_all
from services.customer_svc.tests.integration.conftest import settings_for
from services.customer_svc.tests.integration.test_customer_events import usage_event
from services.customer_svc.tests.integration.test_customers_api import create


async def metric(api: httpx.AsyncClient, name: str) -> float:
    """A sample of the instance's `/metrics` without labels (0 when absent)."""
    for line in (await api.get("/metrics")).text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


async def credits(api: httpx.AsyncClient, cid: str) -> float:
    details = await api.get(f"/api/v1/customers/{cid}")
    assert details.status_code == 200, details.text
    return float(details.json()["consumption"]["credits_consumed"])


@pytest.fixture
def settings(infrastructure: Endpoints) -> Settings:
    return settings_for(infrastructure)


@pytest.fixture
async def db(
    infrastructure: Endpoints, settings: Settings
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """The database of `settings`, dropped after the test."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infrastructure.mongodb)
    try:
        yield client[settings.mongodb_database]
    finally:
        await client.drop_database(settings.mongodb_database)
        await client.close()


def ghost_id() -> str:
    return f"c-{uuid.uuid4().hex[:12]}"


async def test_usage_of_an_id_never_created_is_dropped_and_counted_a_new_customers_kept(
    infrastructure: Endpoints, settings: Settings, db: AsyncDatabase[dict[str, Any]]
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    ghost = ghost_id()
    progress = GroupProgress(infrastructure.kafka, settings.consumer_group, poll_s=0.1)
    try:
        async with running(create_app(settings)) as api:
            cid = (await create(api)).json()["id"]  # created just before its first report
            events = [
                usage_event(
                    ghost, today - dt.timedelta(days=d), 5, 1, f"{today}T00:01:00Z", f"g{d}"
                )
                for d in range(3)
            ]
            events.append(usage_event(cid, today, 4, 1, f"{today}T00:01:00Z", "u-1"))
            await publish(infrastructure.kafka, BACKUP_USAGE, events)

            async def kept() -> bool:
                return await credits(api, cid) == 4

            await eventually(kept, timeout_s=30)
            # The ghost's reports are behind the usage consumers' commit: they were handled.
            ghostly = await read_all(infrastructure.kafka, BACKUP_USAGE, key=ghost, settle_s=0.5)
            assert len(ghostly) == 3
            await progress.passed(
                {TopicPartition(r.topic, r.partition): r.offset + 1 for r in ghostly}
            )
            assert await db["usage"].find_one({"_id": ghost}) is None  # not stored
            assert await metric(api, "msc_recent_usage_customers") == 1  # only cid is held
            # At least the ghost's three (the topic's older reports are of no customer here).
            assert await metric(api, "msc_usage_unknown_customer_reports_total") >= 3
            assert (await api.get(f"/api/v1/customers/{ghost}")).status_code == 404
        dead = await read_all(
            infrastructure.kafka, dead_letter_topic(BACKUP_USAGE), key=ghost, settle_s=0.5
        )
        assert dead == []  # dropped, not dead-lettered (README says why)
    finally:
        await progress.close()


async def test_a_start_holds_only_live_customers_usage_and_purges_what_the_last_release_kept(
    infrastructure: Endpoints, settings: Settings, db: AsyncDatabase[dict[str, Any]]
) -> None:
    usage, customers = MongoUsageRepository(db), MongoCustomerRepository(db, SystemClock())
    now = dt.datetime.now(dt.UTC)
    live, deleted, ghost = ghost_id(), ghost_id(), ghost_id()
    # As release 1.1 left it: usage stored for any id, and for a deleted customer
    # whose purge did not happen.
    await usage.check_format()
    await customers.ensure_indexes()
    for cid in (live, deleted):
        await customers.add(Customer(cid, Account(f"Start {cid}"), ServicePlan()))
    gone = await customers.get(deleted)
    assert gone is not None
    await customers.save(gone.next_version(deleted=True, contacts=()))
    await usage.record(
        [
            UsageReport(cid, DailyUsage(now.date(), 3, 1), now, f"e-{cid}")
            for cid in (live, deleted, ghost)
        ],
        now.date(),
    )

    async with running(create_app(settings)) as api:
        assert await metric(api, "msc_recent_usage_customers") == 1
        assert await metric(api, "msc_usage_orphans_purged_total") == 2
        assert await credits(api, live) == 3
    assert {doc["_id"] async for doc in db["usage"].find({})} == {live}

    async with running(create_app(settings)) as api:  # the next start has nothing to do
        assert await metric(api, "msc_usage_orphans_purged_total") == 0
        assert await metric(api, "msc_recent_usage_customers") == 1


async def test_a_customer_deleted_on_another_instance_is_no_longer_held_there(
    infrastructure: Endpoints, settings: Settings, db: AsyncDatabase[dict[str, Any]]
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    async with running(create_app(settings)) as first, running(create_app(settings)) as other:
        created = await create(first)
        cid = created.json()["id"]
        await publish(
            infrastructure.kafka,
            BACKUP_USAGE,
            [usage_event(cid, today, 6, 1, f"{today}T00:01:00Z", "u-1")],
        )

        async def held_by_both() -> bool:
            return await credits(first, cid) == 6 and await credits(other, cid) == 6

        await eventually(held_by_both, timeout_s=30)
        deleted = await first.delete(
            f"/api/v1/customers/{cid}", headers={"If-Match": created.headers["ETag"]}
        )
        assert deleted.status_code == 204, deleted.text
        assert await metric(first, "msc_recent_usage_customers") == 0

        async def forgotten() -> bool:
            return await metric(other, "msc_recent_usage_customers") == 0

        await eventually(forgotten, timeout_s=20)
