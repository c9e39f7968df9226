"""Writes `format6.json`: the documents the release of stored format 6 wrote for a small,
varied history, and the views it answered on them (the upgrade test's "before").

Run on that release (commit 871491e), against any MongoDB-wire server:

    MONGODB_URL=mongodb://127.0.0.1:27018 PYTHONPATH=tests:. \
        .venv/bin/python -m services.sla_svc.tests.upgrade.make_format6

It is kept as the record of how the fixture was made; later releases do not run it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from bson import json_util
from pymongo import AsyncMongoClient

from msc_testkit.clock import FixedClock
from services.sla_svc.tests.fakes import FakeAcknowledgements
from services.sla_svc.tests.history import (
    NOW,
    acknowledge,
    clear,
    delete_set,
    job,
    raise_,
    upsert,
)
from sla_svc.adapters.mongo_store import MongoSlaStore
from sla_svc.api import rendering
from sla_svc.domain.ingest import Change, Delivered, stream_of
from sla_svc.domain.prepared import SetQuery
from sla_svc.read_cache import ReadCache
from sla_svc.service import CustomerEvent, SlaService

CANONICAL = json_util.CANONICAL_JSON_OPTIONS
OUT = Path(__file__).with_name("format6.json")
COLLECTIONS = (
    "meta",
    "sla_heads",
    "sla_customers",
    "sla_hour_details",
    "sla_jobs",
    "sla_alerts",
    "sla_set_histories",
)
LIVE = ("c-busy", "c-small")
SORTS = ("backup_set_id", "-rpo_status", "name", "last_successful_backup_at")


def busy() -> list[Change]:
    """A set with a restore, then a failed backup, then 30 successful backups (its row's
    last restore and last failure fall out of its 20-job history), and alerts of each kind."""
    changes: list[Change] = [upsert("bs-1", 80, name="HQ file server"), upsert("bs-2", 80, "SQL")]
    changes.append(job("r1", "running", 60, job_type="restore", started_hours_ago=60))
    changes.append(job("r1", "successful", 59.5, job_type="restore", started_hours_ago=60))
    changes.append(job("f1", "running", 55, started_hours_ago=55))
    failure = ("E_VSS", "VSS timed out")
    changes.append(job("f1", "failed", 54.5, started_hours_ago=55, error=failure))
    for n in range(30):
        hours = 50 - n
        changes.append(job(f"b{n}", "running", hours, started_hours_ago=hours))
        changes.append(job(f"b{n}", "successful", hours - 0.25, started_hours_ago=hours))
    for n in range(3):
        status = "successful_with_errors" if n == 1 else "successful"
        changes.append(job(f"s{n}", status, 30 - n, set_id="bs-2", started_hours_ago=30.5 - n))
    changes.append(job("s3", "running", 0.5, set_id="bs-2", started_hours_ago=0.5))
    changes += [
        raise_("a1", "warning", 20, set_id="bs-1"),
        acknowledge("a1", "dana", 19),
        raise_("a2", "critical", 10, set_id="bs-2"),
        clear("a2"),
        raise_("a3", "info", 2),
    ]
    return changes


def small() -> list[Change]:
    """A breached set, a set deleted later, a set known only from its jobs, failures with
    errors in the last day, an open critical alert, a redelivered snapshot."""
    changes: list[Change] = [
        upsert("bs-a", 100, name="Laptops", rpo=1),
        upsert("bs-b", 100, name="Old NAS"),
        job("j1", "successful", 30, set_id="bs-a", started_hours_ago=30.5),
        job("j2", "failed", 5, set_id="bs-a", started_hours_ago=5.5, error=("E_NET", "no route")),
        job("j3", "canceled", 4, set_id="bs-a", started_hours_ago=4.5),
        job("j4", "successful", 70, set_id="bs-b", started_hours_ago=70.5),
        delete_set("bs-b", 60),
        job("j5", "failed", 2, set_id="bs-c", started_hours_ago=3, error=("E_DISK", "disk full")),
        job("j6", "successful", 200, set_id="bs-c", started_hours_ago=200.5),
        raise_("x1", "critical", 1, set_id="bs-a"),
    ]
    changes.append(changes[2])  # a redelivery changes nothing
    return changes


def gone() -> list[Change]:
    """A customer deleted after its events: a tombstone remains."""
    return [upsert("bs-1", 10), job("g1", "successful", 5, started_hours_ago=5.5)]


TOPICS = {"JobSnapshot": "backup.jobs", "SetChanged": "backup.sets"}


def stream(customer_id: str, changes: list[Change], partition: int) -> list[CustomerEvent]:
    offsets: dict[str, int] = {}
    out = []
    for change in changes:
        topic = TOPICS.get(type(change).__name__, "backup.alerts")
        offset = offsets.get(topic, 100)
        offsets[topic] = offset + 1
        delivered = Delivered(stream_of(topic, partition), offset, change)
        out.append(CustomerEvent(customer_id, delivered))
    return out


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
            out[f"{cid} alerts {severity}"] = rendering.alert_page(page.alerts, page.next_cursor)
        for set_id in ("bs-1", "bs-2", "bs-a", "bs-b", "bs-c"):
            history = await service.job_history(cid, set_id)
            out[f"{cid} jobs {set_id}"] = rendering.job_history(history)
    out["health"] = await service.health([*LIVE, "c-gone", "c-never"])
    return out


async def main() -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        os.environ["MONGODB_URL"], tz_aware=True
    )
    db = client[f"fixture_sla_{uuid.uuid4().hex[:8]}"]
    try:
        store = MongoSlaStore(db)
        await store.check_format()
        service = SlaService(store, FixedClock(NOW), ReadCache(0), FakeAcknowledgements())
        for cid, changes, partition in (
            ("c-busy", busy(), 0),
            ("c-small", small(), 3),
            ("c-gone", gone(), 0),
        ):
            events = stream(cid, changes, partition)
            for start in range(0, len(events), 7):
                await service.apply(events[start : start + 7])
        await service.forget("c-gone")
        await asyncio.sleep(0.5)  # the purge runs in the background
        documents = {name: await db[name].find({}).sort("_id").to_list() for name in COLLECTIONS}
        fixture = {
            "now": NOW.isoformat(),
            "documents": json.loads(json_util.dumps(documents, json_options=CANONICAL)),
            "views": await views(service),
        }
        OUT.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
        print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)
    finally:
        await client.drop_database(db.name)
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())
