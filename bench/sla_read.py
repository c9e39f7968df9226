"""Benchmark of the SLA view of a large customer, beside one indexed find_one.

    make bench-sla-read   (or: uv run python bench/sla_read.py --sets 1000 --days 30)

Builds a customer with `--sets` backup sets and `--days` of hourly jobs (1,000 x 30 days
= 720,000 jobs, all stored) through the service's own ingest path, then times
`GET /customers/{id}/sla` on a running sla_svc beside a driver `find_one` by `_id`, at the
same concurrency. The view is timed three times: as configured (sla_svc's read cache
keeps the customer and trusts its revision for a second after reading it, so most views
touch no database), with the revision read on every view (SLA_SVC_READ_CACHE_RECHECK_MS=0:
one small `find_one` per view, as when every view could follow a save by another
instance), and with the read cache off (SLA_SVC_READ_CACHE_CUSTOMERS=0: every view reads
the customer's figures, as an instance does once after another instance saved them). The
target is judged on the first. Beside them, for reading the figures: `GET /healthz` of the
same process (what any HTTP answer costs there) and the view computed in this process
through the service's own store and read cache (the read path without HTTP).
Progress and a table on stderr; the last line on stdout is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from _harness import Endpoints, Http, infrastructure, measure, say, services
from msc_platform.clock import SystemClock
from sla_svc.adapters.mongo_store import MongoSlaStore
from sla_svc.config import Settings
from sla_svc.domain.alerts import Raised
from sla_svc.domain.backup_sets import Presence
from sla_svc.domain.ingest import AlertRaised, Delivered, SetChanged, stream_of
from sla_svc.domain.jobs import JobSnapshot
from sla_svc.domain.time_keys import event_order, instant
from sla_svc.main import configured_read_cache
from sla_svc.read_cache import ReadCache
from sla_svc.service import CustomerEvent, SlaService

NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
CUSTOMER = "bench-large"
SETUPS: dict[str, tuple[str, dict[str, str]]] = {
    "": ("read cache as configured", {}),
    "rechecked_": ("revision read each view", {"SLA_SVC_READ_CACHE_RECHECK_MS": "0"}),
    "uncached_": ("read cache off", {"SLA_SVC_READ_CACHE_CUSTOMERS": "0"}),
}
"""Each way of timing the view: prefix of its figures, label, and sla_svc's environment
(the in-process read path gets the read cache that environment configures)."""


def history(sets: int, days: int, batch: int) -> Iterator[list[CustomerEvent]]:
    """The large customer's stream in batches: set upserts, then each hour's terminal jobs."""
    rng = random.Random(3)
    offsets = {"backup.sets": 0, "backup.jobs": 0, "backup.alerts": 0}

    def deliver(topic: str, change: Any) -> CustomerEvent:
        offsets[topic] += 1
        return CustomerEvent(CUSTOMER, Delivered(stream_of(topic, 0), offsets[topic], change))

    first = NOW - dt.timedelta(days=days + 1)
    yield [
        deliver(
            "backup.sets",
            SetChanged(
                f"bs-{s:04d}",
                Presence(event_order(first, f"u{s}"), False, f"Set {s}", "VMware", 24),
            ),
        )
        for s in range(sets)
    ]
    pending: list[CustomerEvent] = []
    for hour in range(days * 24, 0, -1):
        start = NOW - dt.timedelta(hours=hour)
        for s in range(sets):
            ended = start + dt.timedelta(minutes=rng.randint(3, 55))
            status = "failed" if rng.random() < 0.02 else "successful"
            pending.append(
                deliver(
                    "backup.jobs",
                    JobSnapshot(
                        job_id=f"j-{s}-{hour}",
                        backup_set_id=f"bs-{s:04d}",
                        job_type="backup",
                        status=status,
                        time=instant(ended),
                        event_id=uuid.UUID(int=rng.getrandbits(128)).hex,
                        started_at=instant(start),
                        ended_at=instant(ended),
                    ),
                )
            )
            if status == "failed" and rng.random() < 0.2:
                raised = Raised(
                    event_order(ended, f"a{s}{hour}"), instant(ended), "warning", f"bs-{s:04d}"
                )
                pending.append(deliver("backup.alerts", AlertRaised(f"a-{s}-{hour}", raised)))
            if len(pending) >= batch:
                yield pending
                pending = []
    if pending:
        yield pending


async def build(endpoints: Endpoints, database: str, sets: int, days: int) -> None:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(endpoints.mongodb, tz_aware=True)
    built = mongo[database]["bench_built"]
    if await built.find_one({"_id": CUSTOMER}):
        say(f"reusing the customer built earlier in database {database}")
        await mongo.close()
        return
    store = MongoSlaStore(mongo[database])
    await store.check_format()  # as sla_svc does at start, so that it accepts this database
    service = SlaService(store, SystemClock(), ReadCache(0))
    total, started = 0, time.perf_counter()
    for i, batch in enumerate(history(sets, days, batch=5000)):
        await service.apply(batch)
        total += len(batch)
        if i % 4 == 0:
            say(f"  built {total:>7} events in {time.perf_counter() - started:.0f} s")
    await built.insert_one({"_id": CUSTOMER, "events": total})
    await mongo.close()
    say(
        f"built {total} events ({sets} sets x {days} days of hourly jobs) in {time.perf_counter() - started:.0f} s"
    )


async def run(
    endpoints: Endpoints,
    url: str,
    database: str,
    requests: int,
    concurrency: int,
    label: str,
    read_cache: ReadCache,
) -> dict[str, Any]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        endpoints.mongodb, maxPoolSize=concurrency, tz_aware=True
    )
    read_path = SlaService(MongoSlaStore(mongo[database]), SystemClock(), read_cache)
    jobs = mongo[database]["sla_jobs"]
    one_job = f"{CUSTOMER}|j-0-1"
    assert await jobs.find_one({"_id": one_job}) is not None
    say(f"sla_jobs holds {await jobs.estimated_document_count()} documents")
    async with Http(concurrency, url) as http:

        async def sla_30d(worker: int) -> None:
            await http.get(f"/api/v1/customers/{CUSTOMER}/sla", params={"window": "30d"})

        async def find_one(worker: int) -> None:
            assert await jobs.find_one({"_id": one_job}) is not None

        async def healthz(worker: int) -> None:
            await http.get("/healthz")

        async def view_in_process(worker: int) -> None:
            await read_path.view(CUSTOMER, "30d")

        sample = (
            await http.get(f"/api/v1/customers/{CUSTOMER}/sla", params={"window": "30d"})
        ).json()
        say(
            f"the view: {sample['backup_jobs']['total']} backup jobs in 30 d, {sample['backup_sets']['total']} sets"
        )
        bare = await measure("driver find_one by _id", find_one, requests, concurrency)
        view = await measure(f"GET .../sla 30d, {label}", sla_30d, requests, concurrency)
        floor = await measure("GET /healthz (HTTP floor)", healthz, requests, concurrency)
        path = await measure(f"view in-process, {label}", view_in_process, requests, concurrency)
    await mongo.close()
    return {
        "sla_p50_ms": round(view.p50_ms, 2),
        "sla_p99_ms": round(view.p99_ms, 2),
        "sla_per_s": round(view.per_s, 1),
        "find_one_p50_ms": round(bare.p50_ms, 2),
        "find_one_p99_ms": round(bare.p99_ms, 2),
        "p99_ratio": round(view.p99_ms / bare.p99_ms, 2),
        "healthz_p99_ms": round(floor.p99_ms, 2),
        "read_path_p50_ms": round(path.p50_ms, 2),
        "read_path_p99_ms": round(path.p99_ms, 2),
        "read_path_p99_ratio": round(path.p99_ms / bare.p99_ms, 2),
        "jobs_in_window": sample["backup_jobs"]["total"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the local servers' data in DIR and reuse a customer built there earlier "
        "(the build takes about 25 minutes at full size; the view is timed at its own time, "
        "so a kept customer's last jobs grow older)",
    )
    args = parser.parse_args()
    database = f"bench_sla_read_{args.sets}x{args.days}"
    if not args.keep:
        database += f"_{uuid.uuid4().hex[:6]}"
    with infrastructure(args.keep) as endpoints:
        asyncio.run(build(endpoints, database, args.sets, args.days))
        extra = {
            "SLA_SVC_MONGODB_DATABASE": database,
            "SLA_SVC_CONSUMER_GROUP": f"bench-{uuid.uuid4().hex[:6]}",
        }
        runs: dict[str, dict[str, Any]] = {}
        for prefix, (label, environment) in SETUPS.items():
            with services(["sla_svc"], endpoints, extra | environment) as running:
                say(f"timing the view, {label}")
                runs[prefix] = asyncio.run(
                    run(
                        endpoints,
                        running["sla_svc"].url,
                        database,
                        args.requests,
                        args.concurrency,
                        label,
                        configured_read_cache(Settings.model_validate(environment)),
                    )
                )
    figures = runs[""]
    for prefix in ("rechecked_", "uncached_"):
        figures |= {
            f"{prefix}{name}": runs[prefix][name]
            for name in (
                "sla_p50_ms",
                "sla_p99_ms",
                "find_one_p99_ms",
                "p99_ratio",
                "read_path_p99_ms",
            )
        }
    figures["target_met"] = figures["p99_ratio"] <= 2
    say(f"target (p99 <= 2 x find_one p99): {'met' if figures['target_met'] else 'NOT met'}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
