"""The Summary tab's consumption and the list's plan badges on several instances: each
holds every customer's usage in memory and follows the usage any instance records, on the
real broker and database, never reading a report's customer before the report is stored."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.adapters.mongo_usage import MongoUsageRepository
from customer_svc.adapters.usage_feed import usage_feed
from customer_svc.domain.consumption import DailyUsage, UsageReport
from customer_svc.domain.model import Account, Customer, ServicePlan
from customer_svc.domain.recent_usage import RecentUsage
from customer_svc.main import create_app
from msc_contracts.topics import BACKUP_USAGE
from msc_platform.clock import SystemClock
from msc_platform.group_progress import GroupProgress
from msc_platform.topic_follower import partitions_of
from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually, publish
from services.customer_svc.tests.integration.conftest import settings_for
from services.customer_svc.tests.integration.test_customer_events import usage_event
from services.customer_svc.tests.integration.test_customers_api import PLAN


async def listed(api: httpx.AsyncClient, name: str) -> dict[str, Any]:
    answer = await api.get("/api/v1/customers", params={"q": name})
    assert answer.status_code == 200, answer.text
    (item,) = answer.json()["items"]
    return {"quota_used": item["quota_used"], "plan_badges": item["plan_badges"]}


async def test_every_instance_badges_the_credits_any_instance_recorded(
    infrastructure: Endpoints,
) -> None:
    settings = settings_for(infrastructure)
    name = f"Quota {uuid.uuid4().hex[:8]}"
    today = dt.datetime.now(dt.UTC).date()
    plan = {**PLAN, "credit_quota": 100, "expiry_date": None}
    async with running(create_app(settings)) as first:
        created = await first.post(
            "/api/v1/customers", json={"account": {"name": name}, "service_plan": plan}
        )
        assert created.status_code == 201, created.text
        cid = created.json()["id"]
        assert await listed(first, name) == {"quota_used": 0.0, "plan_badges": []}
        await publish(
            infrastructure.kafka,
            BACKUP_USAGE,
            [usage_event(cid, today, 90, 1, f"{today}T00:01:00Z", "u-1")],
        )
        nearly = {"quota_used": 0.9, "plan_badges": ["credits_over_80"]}

        async def first_badges(expected: dict[str, Any]) -> bool:
            return await listed(first, name) == expected

        await eventually(lambda: first_badges(nearly), timeout_s=20)
        async with running(create_app(settings)) as second:
            assert await listed(second, name) == nearly  # read at its start
            yesterday = today - dt.timedelta(days=1)
            await publish(
                infrastructure.kafka,
                BACKUP_USAGE,
                [usage_event(cid, yesterday, 30, 1, f"{today}T00:02:00Z", "u-2")],
            )
            over = {"quota_used": 1.2, "plan_badges": ["credits_over_100"]}

            async def both_over() -> bool:
                details = (await second.get(f"/api/v1/customers/{cid}")).json()
                return (
                    await first_badges(over)
                    and await listed(second, name) == over
                    and details["consumption"]["credits_consumed"] == 120
                )

            await eventually(both_over, timeout_s=20)


async def test_usage_is_read_again_only_once_the_usage_consumers_stored_the_report(
    infrastructure: Endpoints,
) -> None:
    settings = settings_for(infrastructure)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infrastructure.mongodb)
    usage = MongoUsageRepository(client[settings.mongodb_database])
    customers = MongoCustomerRepository(client[settings.mongodb_database], SystemClock())
    now = dt.datetime.now(dt.UTC)
    cid = f"c-{uuid.uuid4().hex[:12]}"
    # Usage is held only for a customer that exists.
    await customers.add(Customer(cid, Account(f"Held {cid}"), ServicePlan()))

    async def record(credits: float, event_id: str) -> None:
        report = UsageReport(cid, DailyUsage(now.date(), credits, 1), now, event_id)
        await usage.record([report], now.date())

    await record(5, "u-1")
    held = RecentUsage()
    group = GroupProgress(infrastructure.kafka, settings.consumer_group, poll_s=0.1)
    feed = usage_feed(held, usage, customers, settings, group, SystemClock(), CollectorRegistry())
    feed.start()
    try:
        await eventually(lambda: _true(held.filled))
        assert held.credits([cid], now.date()) == {cid: 5}

        # A report stored, as its consumer would, but the group has not committed it yet.
        await record(7, "u-2")
        await publish(infrastructure.kafka, BACKUP_USAGE, [b"a report"], key=cid)
        await asyncio.sleep(3)
        assert held.credits([cid], now.date()) == {cid: 5}

        await _commit_to_the_end(infrastructure.kafka, settings.consumer_group)
        await eventually(lambda: _true(held.credits([cid], now.date()) == {cid: 7}), timeout_s=15)
    finally:
        await feed.stop()
        await group.close()
        await client.drop_database(settings.mongodb_database)
        await client.close()


async def _true(value: bool) -> bool:
    return value


async def _commit_to_the_end(bootstrap: str, group: str) -> None:
    """Commit `group` at the end of every partition of `backup.usage`, as its consumers do
    once they have stored what they read."""
    partitions = await partitions_of(bootstrap, BACKUP_USAGE)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
    finally:
        await consumer.stop()
