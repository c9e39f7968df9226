"""Benchmark of the SLA view of a large customer, beside one indexed find_one.

    make bench-sla-read   (or: uv run python bench/sla_read.py --sets 1000 --days 30)

Builds a customer with `--sets` backup sets and `--days` of hourly jobs (1,000 x 30 days
= 720,000 jobs, all stored) as agents would, through Kafka and a running sla_svc, then
times `GET /customers/{id}/sla` on it beside a driver `find_one` by `_id`, at the same
concurrency. The view is timed three times: as configured (sla_svc's read cache
keeps the customer and trusts its revision for a second after reading it, so most views
touch no database), with the revision read on every view (SLA_SVC_READ_CACHE_RECHECK_MS=0:
one small `find_one` per view, as when every view could follow a save by another
instance), and with the read cache off (SLA_SVC_READ_CACHE_CUSTOMERS=0: every view reads
the customer's figures, as an instance does once after another instance saved them). The
target is judged on the first; the cold view is the third. Beside them: `GET /healthz` of
the same process (what any HTTP answer costs there). Only public interfaces: Kafka, HTTP
and, for the baseline, the database.
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

from _harness import (
    Endpoints,
    Http,
    cloud_event,
    infrastructure,
    measure,
    produce,
    say,
    services,
    wait_applied,
)
from msc_contracts.topics import BACKUP_ALERTS, BACKUP_JOBS, BACKUP_SETS

NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
CUSTOMER = "bench-large"
SETUPS: dict[str, tuple[str, dict[str, str]]] = {
    "": ("read cache as configured", {}),
    "rechecked_": ("revision read each view", {"SLA_SVC_READ_CACHE_RECHECK_MS": "0"}),
    "uncached_": ("read cache off", {"SLA_SVC_READ_CACHE_CUSTOMERS": "0"}),
}
"""Each way of timing the view: prefix of its figures, label, and sla_svc's environment."""


def history(sets: int, days: int) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The large customer's stream as agents publish it: set upserts, then each hour's
    terminal jobs and a few alerts, as (topic, key, CloudEvent)."""
    rng = random.Random(3)

    def event(type_: str, time: dt.datetime, data: dict[str, Any]) -> dict[str, Any]:
        return cloud_event(rng, CUSTOMER, type_, time, data)

    first = NOW - dt.timedelta(days=days + 1)
    for s in range(sets):
        data = {"backup_set_id": f"bs-{s:04d}", "name": f"Set {s}", "workload": "VMware"}
        upserted = event("com.msc.backup_set.upserted.v1", first, data | {"rpo_hours": 24})
        yield BACKUP_SETS, CUSTOMER, upserted
    for hour in range(days * 24, 0, -1):
        start = NOW - dt.timedelta(hours=hour)
        for s in range(sets):
            ended = start + dt.timedelta(minutes=rng.randint(3, 55))
            status = "failed" if rng.random() < 0.02 else "successful"
            job = {
                "job_id": f"j-{s}-{hour}",
                "backup_set_id": f"bs-{s:04d}",
                "job_type": "backup",
                "status": status,
                "started_at": start.isoformat(),
                "ended_at": ended.isoformat(),
            }
            yield BACKUP_JOBS, CUSTOMER, event("com.msc.backup.job.v1", ended, job)
            if status == "failed" and rng.random() < 0.2:
                alert = {
                    "alert_id": f"a-{s}-{hour}",
                    "severity": "warning",
                    "alert_type": "backup_failed",
                    "message": "failed",
                    "backup_set_id": f"bs-{s:04d}",
                }
                yield BACKUP_ALERTS, CUSTOMER, event("com.msc.alert.raised.v1", ended, alert)


async def built_before(endpoints: Endpoints, database: str) -> bool:
    """True when a kept data directory holds the customer, built by an earlier run."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(endpoints.mongodb)
    try:
        return await mongo[database]["bench_built"].find_one({"_id": CUSTOMER}) is not None
    finally:
        await mongo.close()


async def mark_built(endpoints: Endpoints, database: str, events: int) -> None:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(endpoints.mongodb)
    try:
        await mongo[database]["bench_built"].insert_one({"_id": CUSTOMER, "events": events})
    finally:
        await mongo.close()


async def run(
    endpoints: Endpoints,
    url: str,
    database: str,
    requests: int,
    concurrency: int,
    label: str,
) -> dict[str, Any]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        endpoints.mongodb, maxPoolSize=concurrency, tz_aware=True
    )
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

        sample = (
            await http.get(f"/api/v1/customers/{CUSTOMER}/sla", params={"window": "30d"})
        ).json()
        say(
            f"the view: {sample['backup_jobs']['total']} backup jobs in 30 d, {sample['backup_sets']['total']} sets"
        )
        bare = await measure("driver find_one by _id", find_one, requests, concurrency)
        view = await measure(f"GET .../sla 30d, {label}", sla_30d, requests, concurrency)
        floor = await measure("GET /healthz (HTTP floor)", healthz, requests, concurrency)
    await mongo.close()
    return {
        "sla_p50_ms": round(view.p50_ms, 2),
        "sla_p99_ms": round(view.p99_ms, 2),
        "sla_per_s": round(view.per_s, 1),
        "find_one_p50_ms": round(bare.p50_ms, 2),
        "find_one_p99_ms": round(bare.p99_ms, 2),
        "p99_ratio": round(view.p99_ms / bare.p99_ms, 2),
        "healthz_p99_ms": round(floor.p99_ms, 2),
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
        "(the build takes about 10 minutes at full size; the view is timed at its own time, "
        "so a kept customer's last jobs grow older)",
    )
    args = parser.parse_args()
    database = f"bench_sla_read_{args.sets}x{args.days}"
    if not args.keep:
        database += f"_{uuid.uuid4().hex[:6]}"
    with infrastructure(args.keep) as endpoints:
        built = asyncio.run(built_before(endpoints, database))
        if built:
            say(f"reusing the customer built earlier in database {database}")
        else:
            say(f"publishing {args.sets} sets x {args.days} days of hourly jobs into Kafka ...")
            total = asyncio.run(produce(endpoints.kafka, history(args.sets, args.days)))
        extra = {
            "SLA_SVC_MONGODB_DATABASE": database,
            "SLA_SVC_CONSUMER_GROUP": f"bench-sla-read-{database}",  # kept with --keep
        }
        runs: dict[str, dict[str, Any]] = {}
        for prefix, (label, environment) in SETUPS.items():
            with services(["sla_svc"], endpoints, extra | environment) as running:
                if not built:
                    say(f"sla_svc applies the {total} events ...")
                    started = time.perf_counter()
                    wait_applied(running["sla_svc"].url, total)
                    say(f"built in {time.perf_counter() - started:.0f} s")
                    asyncio.run(mark_built(endpoints, database, total))
                    built = True
                say(f"timing the view, {label}")
                runs[prefix] = asyncio.run(
                    run(
                        endpoints,
                        running["sla_svc"].url,
                        database,
                        args.requests,
                        args.concurrency,
                        label,
                    )
                )
    figures = runs[""]
    for prefix in ("rechecked_", "uncached_"):
        figures |= {
            f"{prefix}{name}": runs[prefix][name]
            for name in (
                "sla_p50_ms",
                "sla_p99_ms",
                "find_one_p50_ms",
                "find_one_p99_ms",
                "p99_ratio",
            )
        }
    figures["target_met"] = figures["p99_ratio"] <= 2
    say(f"target (p99 <= 2 x find_one p99): {'met' if figures['target_met'] else 'NOT met'}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
