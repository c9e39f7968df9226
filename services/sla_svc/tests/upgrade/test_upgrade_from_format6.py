"""An operator upgrades with data in place: the documents the format-6 release wrote
(`format6.json`) are migrated at start, and every view answers as that release did, but
where it had lost what the contract asks for (a busy set's last restore and last failure),
which the migration finds again among the job states.

`format6.json` was written by the format-6 release itself (871491e) running
`services/sla_svc/tests/upgrade/make_format6.py` of commit 28ddc24, which holds the history
it applied; `views` below asks exactly the views that script recorded.
"""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from bson import json_util

from msc_contracts.topics import BACKUP_JOBS
from msc_testkit.clock import FixedClock
from msc_testkit.credentials import service_auth
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually
from msc_testkit.mongo import Db, throwaway_database
from services.sla_svc.tests.fakes import sla_service, view_of
from services.sla_svc.tests.history import NOW, deliver, job
from services.sla_svc.tests.integration.conftest import settings_for
from sla_svc.adapters.mongo_store import STORED_FORMAT, MongoSlaStore
from sla_svc.api import rendering
from sla_svc.domain.prepared import SetQuery
from sla_svc.main import create_app
from sla_svc.service import SlaService

FIXTURE = json.loads(Path(__file__).with_name("format6.json").read_text())
LIVE = ("c-busy", "c-small")
SORTS = ("backup_set_id", "-rpo_status", "name", "last_successful_backup_at")


@pytest.fixture
async def format6(infrastructure: Endpoints) -> AsyncIterator[Db]:
    """A database holding what the format-6 release wrote."""
    async with throwaway_database(infrastructure.mongodb, "it_sla_upgrade") as db:
        for name, docs in FIXTURE["documents"].items():
            if docs:
                await db[name].insert_many(json_util.loads(json.dumps(docs)))
        yield db


async def views(service: SlaService) -> dict[str, Any]:
    """Every view the release answers on the fixture's customers, as JSON."""
    out: dict[str, Any] = {}
    for cid in LIVE:
        for window in ("24h", "7d", "30d"):
            for sort in SORTS:
                query = SetQuery(sort.removeprefix("-"), sort.startswith("-"), None)  # type: ignore[arg-type]
                view, rest = await service.rendered_view(
                    cid, window, None, 100, rendering.without_as_of, query
                )
                out[f"{cid} sla {window} {sort}"] = json.loads(rendering.with_as_of(view, rest))
        for severity in (None, "warning", "critical"):
            page = await service.open_alerts(cid, severity, None, 20)
            out[f"{cid} alerts {severity}"] = rendering.alert_page(
                page.alerts, page.next_cursor
            ).model_dump(mode="json")
        for set_id in ("bs-1", "bs-2", "bs-a", "bs-b", "bs-c"):
            history = await service.job_history(cid, set_id)
            out[f"{cid} jobs {set_id}"] = rendering.job_history(history).model_dump(mode="json")
    out["health"] = await service.health([*LIVE, "c-gone", "c-never"])
    return out


def service(store: MongoSlaStore) -> SlaService:
    assert NOW.isoformat() == FIXTURE["now"]
    return sla_service(store)


def as_format_6_answered_with_what_it_lost(expected: dict[str, Any]) -> dict[str, Any]:
    """The views format 6 answered, with the busy set's restore and failure of long ago,
    which its 20-job history had dropped."""
    fixed = copy.deepcopy(expected)
    for key, view in fixed.items():
        if not key.startswith("c-busy sla"):
            continue
        for row in view["backup_sets"]["items"]:
            if row["backup_set_id"] == "bs-1":
                assert row["last_restore"] is None and row["last_failure"] is None
                row["last_restore"] = {
                    "job_id": "r1",
                    "status": "successful",
                    "started_at": "2026-11-25T17:00:00Z",
                    "ended_at": "2026-11-25T17:30:00Z",
                }
                row["last_failure"] = {
                    "job_id": "f1",
                    "ended_at": "2026-11-25T22:30:00Z",
                    "error_code": "E_VSS",
                    "error_message": "VSS timed out",
                }
    return fixed


async def test_every_view_after_the_migration_is_the_view_before(format6: Db) -> None:
    store = MongoSlaStore(format6)
    await store.upgrade()
    assert (await format6["meta"].find_one({"_id": "format"}) or {})["version"] == STORED_FORMAT
    assert await views(service(store)) == as_format_6_answered_with_what_it_lost(FIXTURE["views"])
    migrated = await format6["sla_customers"].find({}).sort("_id").to_list()
    await MongoSlaStore(format6).upgrade()  # a restart migrates nothing again
    assert await format6["sla_customers"].find({}).sort("_id").to_list() == migrated


async def test_migrated_figures_go_on_counting(format6: Db) -> None:
    store = MongoSlaStore(format6)
    await store.upgrade()
    sla = service(store)
    before = await view_of(sla, "c-busy", "24h")
    await sla.apply(deliver("c-busy", [job("b-new", "successful", 0.1, started_hours_ago=0.5)]))
    after = await view_of(sla, "c-busy", "24h")
    assert after.backup_jobs.successful == before.backup_jobs.successful + 1
    row = next(r for r in after.rows if r.backup_set_id == "bs-1")
    assert row.last_backup is not None and row.last_backup.job_id == "b-new"
    assert row.last_restore is not None and row.last_restore.job_id == "r1"


async def test_figures_an_instance_not_yet_upgraded_writes_are_upgraded_when_next_changed(
    format6: Db,
) -> None:
    """During a rolling upgrade an instance of the previous release may still write a
    customer in format 6 after the migration: the next batch finds its latest jobs again."""
    store = MongoSlaStore(format6)
    await store.upgrade()
    old = next(d for d in FIXTURE["documents"]["sla_customers"] if d["_id"] == "c-busy")
    await format6["sla_customers"].replace_one({"_id": "c-busy"}, json_util.loads(json.dumps(old)))
    sla = service(MongoSlaStore(format6))
    await sla.apply(deliver("c-busy", [job("x", "running", 0.2, set_id="bs-1")]))
    row = next(r for r in (await view_of(sla, "c-busy", "7d")).rows if r.backup_set_id == "bs-1")
    assert row.last_restore is not None and row.last_restore.job_id == "r1"
    assert row.last_failure is not None and row.last_failure.job_id == "f1"


async def test_the_service_migrates_once_the_previous_release_has_left_the_group(
    format6: Db, infrastructure: Endpoints
) -> None:
    """Started on format-6 data while an instance of the previous release still consumes,
    sla_svc answers /healthz, is not ready and migrates nothing; once that instance has
    left the consumer group it migrates, consumes, and answers the views."""
    group = f"it-sla-upgrade-{uuid.uuid4().hex[:8]}"
    previous = AIOKafkaConsumer(BACKUP_JOBS, bootstrap_servers=infrastructure.kafka, group_id=group)
    await previous.start()
    await previous.getmany(timeout_ms=3000)  # joined: a member of the group
    settings = settings_for(infrastructure, mongodb_database=format6.name, consumer_group=group)
    app = create_app(settings, clock=FixedClock(NOW))
    async with app.router.lifespan_context(app):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s", headers=service_auth()
        )
        assert (await client.get("/healthz")).status_code == 200
        await asyncio.sleep(1)
        waiting = await client.get("/readyz")
        assert waiting.status_code == 503 and "migrating" in waiting.json()["checks"]["started"]
        assert (await format6["meta"].find_one({"_id": "format"}) or {})["version"] == 6
        await previous.stop()  # the previous release's instance leaves the group

        async def ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        await eventually(ready, timeout_s=60)
        answer = await client.get("/api/v1/customers/c-busy/sla", params={"window": "7d"})
        expected = as_format_6_answered_with_what_it_lost(FIXTURE["views"])
        assert answer.json() == expected["c-busy sla 7d backup_set_id"]
        metrics = (await client.get("/metrics")).text
        assert f"msc_stored_format_version {float(STORED_FORMAT)}" in metrics
        await client.aclose()
