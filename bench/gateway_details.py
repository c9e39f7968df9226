"""Benchmark of the composed Customer Details view, beside direct calls to the two services.

    make bench-gateway   (or: uv run python bench/gateway_details.py --concurrency 1)

Prints a table on stderr and, last on stdout, one JSON line. Targets (bench/results.md):
the gateway's CPU per composed view at most 0.5 x customer_svc's per direct GET (CPU time
of each process from /proc, over the composed requests), and at concurrency 1 the
composed p50 at most 1.3 x the slower direct call's p50.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from _harness import SECRET, Http, infrastructure, measure, new_customer, say, services
from msc_local.tokens import mint


async def seed(kafka: str, customer_id: str, sets: int) -> None:
    """Backup sets with a day of hourly jobs, so the SLA part is not empty."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all")
    await producer.start()

    async def publish(topic: str, type_: str, time: dt.datetime, data: dict[str, Any]) -> None:
        event = {
            "specversion": "1.0",
            "id": uuid.uuid4().hex,
            "source": "urn:bench",
            "type": type_,
            "time": time.isoformat(),
            "customerid": customer_id,
            "data": data,
        }
        await producer.send(topic, json.dumps(event).encode(), key=customer_id.encode())

    try:
        for s in range(sets):
            set_data = {"backup_set_id": f"bs-{s}", "name": f"Set {s}", "workload": "VMware"}
            await publish("backup.sets", "com.msc.backup_set.upserted.v1", now, set_data)
            for hour in range(24):
                ended = now - dt.timedelta(hours=hour)
                job = {
                    "job_id": f"j-{s}-{hour}",
                    "backup_set_id": f"bs-{s}",
                    "job_type": "backup",
                    "status": "successful",
                    "started_at": ended.isoformat(),
                    "ended_at": ended.isoformat(),
                }
                await publish("backup.jobs", "com.msc.backup.job.v1", ended, job)
        await producer.flush()
    finally:
        await producer.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(
    urls: dict[str, str],
    pids: dict[str, int],
    kafka: str,
    secret: str,
    total: int,
    concurrency: int,
) -> dict[str, float]:
    auth = {"Authorization": f"Bearer {mint(secret, 'msp_viewer', 'bench')}"}
    admin = {"Authorization": f"Bearer {mint(secret, 'msp_admin', 'bench')}"}
    async with Http(concurrency) as http:
        body = new_customer(f"Bench {uuid.uuid4().hex[:8]}")
        created = await http.post(f"{urls['gateway']}/api/v1/customers", json=body, headers=admin)
        cid = created.json()["id"]
        await seed(kafka, cid, sets=20)
        for _ in range(120):
            sla = (await http.get(f"{urls['sla_svc']}/api/v1/customers/{cid}/sla")).json()
            if sla["backup_sets"]["total"] == 20 and sla["backup_jobs"]["total"] == 480:
                break
            await asyncio.sleep(0.5)
        say(f"customer {cid}: 20 backup sets, 480 jobs in the last day")

        async def details(worker: int) -> None:
            answer = await http.get(
                f"{urls['gateway']}/api/v1/customers/{cid}/details", headers=auth
            )
            assert not answer.json()["partial"]

        async def customer(worker: int) -> None:
            await http.get(f"{urls['customer_svc']}/api/v1/customers/{cid}")

        async def sla_part(worker: int) -> None:
            await http.get(f"{urls['sla_svc']}/api/v1/customers/{cid}/sla")

        say(f"{total} requests each at concurrency {concurrency}")
        direct_customer = await measure("customer_svc direct", customer, total, concurrency)
        direct_sla = await measure("sla_svc direct", sla_part, total, concurrency)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        composed = await measure("gateway /details", details, total, concurrency)
        cpu_ms = {
            name: (cpu_seconds(pid) - before[name]) * 1000 / composed.calls
            for name, pid in pids.items()
        }
        say(
            "CPU per composed request: "
            + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu_ms.items())
        )
    slower = max(direct_customer.p99_ms, direct_sla.p99_ms)
    return {
        "concurrency": concurrency,
        "details_per_s": round(composed.per_s, 1),
        "details_p50_ms": round(composed.p50_ms, 2),
        "details_p99_ms": round(composed.p99_ms, 2),
        "customer_direct_p50_ms": round(direct_customer.p50_ms, 2),
        "customer_direct_p99_ms": round(direct_customer.p99_ms, 2),
        "sla_direct_p50_ms": round(direct_sla.p50_ms, 2),
        "sla_direct_p99_ms": round(direct_sla.p99_ms, 2),
        "slower_direct_p50_ms": round(max(direct_customer.p50_ms, direct_sla.p50_ms), 2),
        "p99_over_slower_direct": round(composed.p99_ms / slower, 2),
        **{f"cpu_ms_per_details_{name}": round(ms, 2) for name, ms in cpu_ms.items()},
        "target_met": cpu_ms["gateway"] <= 0.5 * cpu_ms["customer_svc"]
        and composed.p50_ms <= 1.3 * max(direct_customer.p50_ms, direct_sla.p50_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    secret = SECRET
    tag = uuid.uuid4().hex[:6]
    extra = {
        "CUSTOMER_SVC_MONGODB_DATABASE": f"bench_gw_c_{tag}",
        "SLA_SVC_MONGODB_DATABASE": f"bench_gw_s_{tag}",
        "SLA_SVC_CONSUMER_GROUP": f"bench-gw-{tag}",
        "CUSTOMER_SVC_CONSUMER_GROUP": f"bench-gw-c-{tag}",
    }
    with (
        infrastructure() as endpoints,
        services(["customer_svc", "sla_svc", "gateway"], endpoints, extra) as running,
    ):
        urls = {name: s.url for name, s in running.items()}
        pids = {name: s.process.pid for name, s in running.items()}
        figures = asyncio.run(
            run(urls, pids, endpoints.kafka, secret, args.requests, args.concurrency)
        )
    say(
        "targets (gateway CPU <= 0.5 x customer_svc's, p50 <= 1.3 x slower direct p50): "
        + ("met" if figures["target_met"] else "NOT met")
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
