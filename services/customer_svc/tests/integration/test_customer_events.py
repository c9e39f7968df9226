"""customer_svc and Kafka: usage in, lifecycle events out, and nothing lost in between."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import httpx

from customer_svc.main import create_app
from msc_contracts import events
from msc_contracts.topics import BACKUP_USAGE, CUSTOMER_EVENTS, dead_letter_topic
from msc_platform.http import ACTOR_HEADER
from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually, publish, read_all
from services.customer_svc.tests.integration.conftest import settings_for
from services.customer_svc.tests.integration.test_customers_api import create, new_customer


def usage_event(
    cid: str, day: dt.date, credits: float, storage: int, time: str, eid: str
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": eid,
        "source": "urn:msc:agent:ag-1",
        "type": "com.msc.usage.daily.v1",
        "time": time,
        "customerid": cid,
        "data": {"date": day.isoformat(), "credits_consumed": credits, "storage_bytes": storage},
    }


async def test_usage_events_fill_the_consumption_block(
    api: httpx.AsyncClient, infrastructure: Endpoints
) -> None:
    cid = (await create(api)).json()["id"]
    today = dt.datetime.now(dt.UTC).date()
    yesterday = today - dt.timedelta(days=1)
    bad = usage_event(cid, today, 1, 1, "2026-11-28T01:00:00Z", "u-bad")
    del bad["data"]["date"]
    infinite = usage_event(cid, today, 7.25, 1, "2026-11-28T01:00:00Z", "u-inf")
    poison = b'{"a":' * 3000 + b"1" + b"}" * 3000  # once stopped the consumer for good
    events: list[dict[str, Any] | bytes] = [
        poison,
        json.dumps(infinite).replace("7.25", "1e309").encode(),
        usage_event(cid, yesterday, 10, 1000, "2026-11-27T23:00:00Z", "u-1"),
        usage_event(cid, yesterday, 12.5, 1200, "2026-11-27T23:30:00Z", "u-2"),
        usage_event(cid, yesterday, 99, 9900, "2026-11-27T22:00:00Z", "u-0"),  # older: ignored
        usage_event(cid, yesterday, 12.5, 1200, "2026-11-27T23:30:00Z", "u-2"),  # repeated
        bad,
        usage_event(cid, today, 2, 1300, "2026-11-28T01:00:00Z", "u-3"),
    ]
    await publish(infrastructure.kafka, BACKUP_USAGE, events, key=cid)

    async def consumed() -> dict[str, Any] | None:
        block = (await api.get(f"/api/v1/customers/{cid}")).json()["consumption"]
        return block if len(block["daily"]) == 2 else None

    block = await eventually(consumed)
    assert block["credits_consumed"] == 14.5
    assert block["storage_consumed_bytes"] == 1300
    assert block["daily"] == [
        {"date": yesterday.isoformat(), "credits_consumed": 12.5, "storage_bytes": 1200},
        {"date": today.isoformat(), "credits_consumed": 2.0, "storage_bytes": 1300},
    ]
    dead = await read_all(infrastructure.kafka, dead_letter_topic(BACKUP_USAGE), key=cid)
    reasons = [{k: v.decode() for k, v in d.headers}["x-dlq-reason"] for d in dead]
    assert len(dead) == 3, reasons
    assert reasons[0] and dead[0].value == poison  # the reason varies with Python's parser
    assert "data.credits_consumed" in reasons[1]
    assert "data.date" in reasons[2]
    headers = {k: v.decode() for k, v in dead[2].headers}
    assert headers["x-original-topic"] == BACKUP_USAGE
    assert int(headers["x-original-offset"]) >= 0 and int(headers["x-original-partition"]) >= 0
    assert json.loads(dead[2].value)["id"] == "u-bad"


async def test_every_change_is_announced_once_in_order(
    api: httpx.AsyncClient, infrastructure: Endpoints
) -> None:
    created = await create(api)
    cid = created.json()["id"]
    updated = await api.patch(
        f"/api/v1/customers/{cid}/service-plan",
        json={"plan": "Premium"},
        headers={"If-Match": created.headers["ETag"]},
    )
    await api.delete(
        f"/api/v1/customers/{cid}",
        headers={"If-Match": updated.headers["ETag"], ACTOR_HEADER: "ops%0Abot"},
    )

    async def announced() -> list[dict[str, Any]] | None:
        records = await read_all(infrastructure.kafka, CUSTOMER_EVENTS, key=cid, settle_s=1.0)
        values = [json.loads(r.value) for r in records]
        return values if len(values) >= 3 else None

    values = await eventually(announced)
    assert [v["type"] for v in values] == [
        "com.msc.customer.created.v1",
        "com.msc.customer.updated.v1",
        "com.msc.customer.deleted.v1",
    ]
    assert values[1]["data"]["summary"]["plan"] == "Premium"
    assert values[2]["data"] == {"customer_id": cid, "actor": "ops\ufffdbot"}
    assert "actor" not in values[1]["data"]  # not known: this call named nobody
    for value in values:  # what sla_svc decodes: the actor is valid in the schema
        events.decode_event(json.dumps(value).encode(), cid.encode(), CUSTOMER_EVENTS)
    assert all(v["customerid"] == cid for v in values)


async def test_an_event_stored_before_a_crash_is_published_once_after_restart(
    infrastructure: Endpoints,
) -> None:
    settings = settings_for(infrastructure)
    broker_never_answers = asyncio.Event()

    async def hang(key: str, value: bytes, headers: dict[str, str]) -> None:
        await broker_never_answers.wait()

    async with running(create_app(settings, publish=hang)) as first:
        created = await first.post("/api/v1/customers", json=new_customer())
        assert created.status_code == 201
        cid = created.json()["id"]
        await asyncio.sleep(0.5)  # the relay is now stuck publishing
        assert "msc_outbox_backlog 1.0" in (await first.get("/metrics")).text
    assert await read_all(infrastructure.kafka, CUSTOMER_EVENTS, key=cid, settle_s=1.0) == []

    async with running(create_app(settings)):

        async def published() -> list[Any] | None:
            found = await read_all(infrastructure.kafka, CUSTOMER_EVENTS, key=cid, settle_s=1.0)
            return found or None

        await eventually(published)
        await asyncio.sleep(2.5)  # a few more relay rounds: nothing may be sent again
    records = await read_all(infrastructure.kafka, CUSTOMER_EVENTS, key=cid, settle_s=1.0)
    assert [json.loads(r.value)["type"] for r in records] == ["com.msc.customer.created.v1"]
