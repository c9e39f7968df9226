"""Benchmark of sla_svc ingest: end-to-end events/s from Kafka until every event is applied.

    make bench-sla-ingest   (or: uv run python bench/sla_ingest.py --events 200000)

In the same run, for comparison: a naive consumer that applies one message at a time with
one write each, and the database's own ceiling (the same number of plain bulk upserts).
Progress and a table on stderr; the last line on stdout is JSON:
{"events_per_s", "naive_events_per_s", "db_bulk_writes_per_s", "peak_rss_mb", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from _harness import (
    Endpoints,
    cloud_event,
    infrastructure,
    produce,
    say,
    services,
    wait_applied,
)
from msc_contracts.events import decode_event
from msc_contracts.topics import BACKUP_ALERTS, BACKUP_JOBS, BACKUP_SETS
from msc_platform.mongo import replace_by_id

NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


def history(
    total: int, customers: int, sets_per_customer: int, seed: int = 1
) -> list[tuple[str, str, dict[str, Any]]]:
    """(topic, key, event) in a believable order: hourly jobs with a running and a terminal
    snapshot, set upserts first, a few alerts, 3 % duplicates and local disorder."""
    rng = random.Random(seed)
    out: list[tuple[str, str, dict[str, Any]]] = []

    def event(cid: str, type_: str, time: dt.datetime, data: dict[str, Any]) -> dict[str, Any]:
        return cloud_event(rng, cid, type_, time, data)

    cids = [f"bench-{i:04d}" for i in range(customers)]
    for cid in cids:
        for s in range(sets_per_customer):
            out.append(
                (
                    BACKUP_SETS,
                    cid,
                    event(
                        cid,
                        "com.msc.backup_set.upserted.v1",
                        NOW - dt.timedelta(days=40),
                        {
                            "backup_set_id": f"bs-{s}",
                            "name": f"Set {s}",
                            "workload": rng.choice(["File Server", "VMware", "Microsoft 365"]),
                            "rpo_hours": 24,
                        },
                    ),
                )
            )
    hour = 0
    while len(out) < total:
        hour += 1
        start = NOW - dt.timedelta(hours=hour)
        for cid in cids:
            for s in range(sets_per_customer):
                job = {
                    "job_id": f"j-{s}-{hour}",
                    "backup_set_id": f"bs-{s}",
                    "job_type": "backup",
                    "started_at": start.isoformat(),
                }
                out.append(
                    (
                        BACKUP_JOBS,
                        cid,
                        event(
                            cid,
                            "com.msc.backup.job.v1",
                            start + dt.timedelta(minutes=1),
                            job | {"status": "running"},
                        ),
                    )
                )
                status = rng.choices(
                    ["successful", "successful_with_errors", "failed"], [90, 6, 4]
                )[0]
                ended = start + dt.timedelta(minutes=rng.randint(5, 50))
                out.append(
                    (
                        BACKUP_JOBS,
                        cid,
                        event(
                            cid,
                            "com.msc.backup.job.v1",
                            ended,
                            job | {"status": status, "ended_at": ended.isoformat()},
                        ),
                    )
                )
                if status == "failed":
                    alert = f"a-{s}-{hour}"
                    out.append(
                        (
                            BACKUP_ALERTS,
                            cid,
                            event(
                                cid,
                                "com.msc.alert.raised.v1",
                                ended,
                                {
                                    "alert_id": alert,
                                    "severity": "critical",
                                    "alert_type": "backup_failed",
                                    "message": "failed",
                                    "backup_set_id": f"bs-{s}",
                                },
                            ),
                        )
                    )
                    if rng.random() < 0.7:
                        out.append(
                            (
                                BACKUP_ALERTS,
                                cid,
                                event(
                                    cid,
                                    "com.msc.alert.cleared.v1",
                                    ended + dt.timedelta(hours=1),
                                    {"alert_id": alert},
                                ),
                            )
                        )
                if len(out) >= total:
                    break
            if len(out) >= total:
                break
    out = out[:total]
    for i in range(len(out) - 1):  # local disorder: swap some neighbours
        if rng.random() < 0.05:
            out[i], out[i + 1] = out[i + 1], out[i]
    for i in rng.sample(range(len(out)), k=len(out) * 3 // 100):  # redelivered duplicates
        out.append(out[i])
    return out


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def naive(endpoints: Endpoints, count: int) -> float:
    """One message at a time, one write each: the consumer loop most first versions have."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(endpoints.mongodb)
    collection = mongo[f"bench_naive_{uuid.uuid4().hex[:6]}"]["jobs"]
    consumer = AIOKafkaConsumer(
        BACKUP_JOBS,
        BACKUP_SETS,
        BACKUP_ALERTS,
        bootstrap_servers=endpoints.kafka,
        group_id=f"bench-naive-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    done = 0
    started = time.perf_counter()
    try:
        async for record in consumer:
            event = decode_event(record.value or b"", record.key, record.topic)
            await collection.replace_one(
                {"_id": f"{event.customerid}|{event.id}"},
                {"type": event.type, "time": event.time},
                upsert=True,
            )
            await consumer.commit()
            done += 1
            if done >= count:
                break
    finally:
        await consumer.stop()
        await mongo.close()
    return done / (time.perf_counter() - started)


async def db_ceiling(endpoints: Endpoints, count: int) -> float:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(endpoints.mongodb)
    collection = mongo[f"bench_bulk_{uuid.uuid4().hex[:6]}"]["docs"]
    docs = [
        {"_id": f"c-{i % 200}|j-{i}", "status": "successful", "time": NOW.isoformat(), "n": i}
        for i in range(count)
    ]
    started = time.perf_counter()
    for i in range(0, count, 500):
        await replace_by_id(collection, docs[i : i + 500])
    rate = count / (time.perf_counter() - started)
    await mongo.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--sets", type=int, default=10, help="backup sets per customer")
    parser.add_argument(
        "--naive-events", type=int, default=10_000, help="events timed for the naive consumer"
    )
    args = parser.parse_args()
    events = history(args.events, args.customers, args.sets)
    say(
        f"{len(events)} events ({len(events) - args.events} of them duplicates) for {args.customers} customers x {args.sets} sets"
    )
    with infrastructure() as endpoints:
        started = time.perf_counter()
        asyncio.run(produce(endpoints.kafka, events))
        say(f"produced into Kafka in {time.perf_counter() - started:.1f} s")
        extra = {
            "SLA_SVC_MONGODB_DATABASE": f"bench_sla_{uuid.uuid4().hex[:6]}",
            "SLA_SVC_CONSUMER_GROUP": f"bench-sla-{uuid.uuid4().hex[:6]}",
        }
        with services(["sla_svc"], endpoints, extra) as running:
            sla = running["sla_svc"]
            started = time.perf_counter()
            wait_applied(sla.url, len(events))
            elapsed = time.perf_counter() - started
            rss = peak_rss_mb(sla.process.pid)
        rate = len(events) / elapsed
        say(
            f"sla_svc: {len(events)} events in {elapsed:.1f} s = {rate:.0f} events/s, peak RSS {rss:.0f} MB"
        )
        say(f"naive consumer on the first {args.naive_events} events ...")
        naive_rate = asyncio.run(naive(endpoints, args.naive_events))
        say(f"naive: {naive_rate:.0f} events/s")
        say(f"database ceiling: {len(events)} plain bulk upserts ...")
        ceiling = asyncio.run(db_ceiling(endpoints, len(events)))
        say(f"bulk upserts: {ceiling:.0f} writes/s")
    figures = {
        "events": len(events),
        "events_per_s": round(rate, 1),
        "naive_events_per_s": round(naive_rate, 1),
        "db_bulk_writes_per_s": round(ceiling, 1),
        "peak_rss_mb": round(rss, 1),
        "vs_naive": round(rate / naive_rate, 2),
        "vs_bulk_ceiling": round(rate / ceiling, 2),
        "targets_met": rate >= 5 * naive_rate and rate >= 0.5 * ceiling and rss < 300,
    }
    say(
        f"targets (>= 5x naive, >= 0.5x bulk ceiling, < 300 MB): {'met' if figures['targets_met'] else 'NOT met'}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
