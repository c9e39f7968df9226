"""A customer stored by the previous release, whose values the new field bounds refuse (a
300-character legal name, a tab in its account name), is read as stored and announced
fitted to the event contract: never a 500, never a dead-lettered lifecycle event."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pymongo import AsyncMongoClient

from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.domain.model import Account, ServicePlan
from customer_svc.main import create_app
from customer_svc.service import CustomerService
from msc_contracts import events
from msc_contracts.bounds import MAX_NAME_CHARS
from msc_contracts.topics import CUSTOMER_EVENTS
from msc_platform.clock import SystemClock
from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually, read_all
from services.customer_svc.tests.fakes import CountingRelay, FakeUsage
from services.customer_svc.tests.integration.conftest import settings_for

LEGAL_NAME = "L" * 300  # the previous release took up to 500 characters


async def test_a_customer_stored_under_the_old_bounds_reads_and_is_announced(
    infrastructure: Endpoints,
) -> None:
    database = f"it_old_bounds_{uuid.uuid4().hex[:8]}"
    name = f"Acme\t{uuid.uuid4().hex[:8]}"  # the previous release let a tab through
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infrastructure.mongodb)
    try:
        # Stored as the previous release stored it (the document format is unchanged),
        # its created event still in the outbox: the upgrade came before the relay ran.
        old = CustomerService(
            MongoCustomerRepository(client[database], SystemClock()),
            FakeUsage(),
            SystemClock(),
            CountingRelay(),
            ["eu-west-1"],
        )
        stored = await old.create(
            Account(name, customer_name=LEGAL_NAME, address="Main St\x001"),
            ServicePlan(plan="Standard", storage_region="eu-west-1", edition="business"),
        )
    finally:
        await client.close()
    cid = stored.id

    async with running(create_app(settings_for(infrastructure, database))) as api:
        read = await api.get(f"/api/v1/customers/{cid}")
        assert read.status_code == 200, read.text
        assert read.json()["account"] == {
            "name": name,
            "customer_name": LEGAL_NAME,
            "address": "Main St\x001",
            "phone": None,
        }
        listed = await eventually(lambda: _listed(api, cid))
        assert listed["customer_name"] == LEGAL_NAME

        changed = await api.patch(
            f"/api/v1/customers/{cid}/service-plan",
            json={"plan": "Premium"},
            headers={"If-Match": read.headers["ETag"]},
        )
        assert changed.status_code == 200, changed.text
        refused = await api.patch(
            f"/api/v1/customers/{cid}/account",
            json={"customer_name": LEGAL_NAME},
            headers={"If-Match": changed.headers["ETag"]},
        )
        assert refused.status_code == 422  # kept as stored, never again accepted

        async def announced() -> list[Any] | None:
            found = await read_all(infrastructure.kafka, CUSTOMER_EVENTS, key=cid, settle_s=1.0)
            return found if len(found) >= 2 else None

        records = await eventually(announced)
    decoded = [events.decode_event(r.value, cid.encode(), CUSTOMER_EVENTS) for r in records]
    assert [e.type for e in decoded] == [events.CUSTOMER_CREATED, events.CUSTOMER_UPDATED]
    for event in decoded:
        assert event.data.summary.name == name.replace("\t", "\ufffd")
        assert event.data.summary.customer_name == "L" * MAX_NAME_CHARS
    assert decoded[1].data.summary.plan == "Premium"
    assert "address" not in json.loads(records[1].value)["data"]["summary"]


async def _listed(api: Any, cid: str) -> dict[str, Any] | None:
    page = await api.get("/api/v1/customers", params={"limit": 200})
    if page.status_code != 200:
        return None
    return next((item for item in page.json()["items"] if item["id"] == cid), None)
