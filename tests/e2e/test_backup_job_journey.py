"""The first journey: create a customer, an agent reports a backup, the SLA tab shows it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from msc_testkit.kafka import eventually
from tests.e2e.conftest import System

NEW_CUSTOMER = {
    "account": {"name": "", "customer_name": "Acme Corp", "phone": "+14155550100"},
    "service_plan": {
        "plan": "Standard",
        "storage_region": "us-east-1",
        "tenant_type": "commercial",
        "edition": "enterprise",
        "expiry_date": "2027-06-30",
        "credit_quota": 5000,
        "credit_quota_effective_date": "2026-07-01",
    },
    "contacts": [{"name": "Dana Lee", "email": "dana@acme.example", "phone": "+14155550101"}],
}


async def test_backup_job_appears_on_the_sla_tab(
    system: System, gateway: httpx.AsyncClient, producer: AIOKafkaProducer
) -> None:
    body = json.loads(json.dumps(NEW_CUSTOMER))
    body["account"]["name"] = f"Acme {uuid.uuid4().hex[:8]}"
    created = await gateway.post("/api/v1/customers", json=body, headers=system.headers())
    assert created.status_code == 201, created.text
    customer_id = created.json()["id"]
    assert created.headers["Location"] == f"/api/v1/customers/{customer_id}"
    assert created.headers["ETag"]

    ended = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    event = {
        "specversion": "1.0",
        "id": f"evt-{uuid.uuid4()}",
        "source": "urn:msc:agent:ag-17",
        "type": "com.msc.backup.job.v1",
        "time": ended.isoformat(),
        "customerid": customer_id,
        "data": {
            "job_id": "job-1",
            "backup_set_id": "bs-1",
            "job_type": "backup",
            "status": "successful",
            "started_at": (ended - dt.timedelta(minutes=20)).isoformat(),
            "ended_at": ended.isoformat(),
            "bytes_transferred": 1024,
        },
    }
    await producer.send_and_wait(
        "backup.jobs", json.dumps(event).encode(), key=customer_id.encode()
    )

    async def backup_set_listed() -> dict[str, Any] | None:
        answer = await gateway.get(
            f"/api/v1/customers/{customer_id}/details", headers=system.headers("msp_viewer")
        )
        assert answer.status_code == 200, answer.text
        view = answer.json()
        items = (view["sla"] or {}).get("backup_sets", {}).get("items", [])
        return view if items else None

    view = await eventually(backup_set_listed)
    assert view["id"] == customer_id
    assert view["partial"] is False and view["errors"] == []
    assert view["summary"]["account"]["name"] == body["account"]["name"]
    assert view["summary"]["contacts"][0]["email"] == "dana@acme.example"
    row = view["sla"]["backup_sets"]["items"][0]
    assert row["backup_set_id"] == "bs-1"
    assert row["name"] is None and row["rpo_hours"] == 24
    assert row["rpo_status"] == "ok"
    assert row["last_backup"] == {
        "job_id": "job-1",
        "status": "successful",
        "started_at": (ended - dt.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ended_at": ended.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert view["sla"]["backup_jobs"]["successful"] == 1
    assert view["sla"]["backup_jobs"]["success_rate"] == 1.0
