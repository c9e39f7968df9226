"""Two sla_svc instances share the partitions; one is killed with SIGKILL mid-stream. What
the survivor ends with equals what a single instance computes: nothing lost, nothing twice."""

from __future__ import annotations

import datetime as dt
import secrets
import signal
import tempfile
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import httpx

from conftest import Endpoints
from msc_contracts.topics import BACKUP_ALERTS, BACKUP_JOBS, BACKUP_SETS
from msc_local.processes import Ports, service_env, start_service, stop_services, wait_ready
from msc_testkit.kafka import eventually, publish

NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
CUSTOMERS = [f"kill-{uuid.uuid4().hex[:6]}-{i}" for i in range(12)]


def stream() -> dict[str, list[dict[str, Any]]]:
    """About 2,400 events: sets, two snapshots per hourly job, alerts; a few repeated."""
    by_topic: dict[str, list[dict[str, Any]]] = {
        BACKUP_SETS: [],
        BACKUP_JOBS: [],
        BACKUP_ALERTS: [],
    }

    def event(cid: str, type_: str, hours_ago: float, data: dict[str, Any]) -> dict[str, Any]:
        time = NOW - dt.timedelta(hours=hours_ago)
        return {
            "specversion": "1.0",
            "id": uuid.uuid4().hex,
            "source": "urn:test",
            "type": type_,
            "time": time.isoformat(),
            "customerid": cid,
            "data": data,
        }

    for cid in CUSTOMERS:
        for s in range(4):
            by_topic[BACKUP_SETS].append(
                event(
                    cid,
                    "com.msc.backup_set.upserted.v1",
                    500,
                    {
                        "backup_set_id": f"bs-{s}",
                        "name": f"Set {s}",
                        "workload": "VMware",
                        "rpo_hours": 6,
                    },
                )
            )
        for hour in range(24, 0, -1):
            for s in range(4):
                job = {
                    "job_id": f"j-{s}-{hour}",
                    "backup_set_id": f"bs-{s}",
                    "job_type": "backup",
                    "started_at": (NOW - dt.timedelta(hours=hour + 0.5)).isoformat(),
                }
                status = "failed" if (s + hour) % 7 == 0 else "successful"
                by_topic[BACKUP_JOBS].append(
                    event(cid, "com.msc.backup.job.v1", hour + 0.4, job | {"status": "running"})
                )
                by_topic[BACKUP_JOBS].append(
                    event(
                        cid,
                        "com.msc.backup.job.v1",
                        hour,
                        job
                        | {
                            "status": status,
                            "ended_at": (NOW - dt.timedelta(hours=hour)).isoformat(),
                        },
                    )
                )
                if status == "failed":
                    by_topic[BACKUP_ALERTS].append(
                        event(
                            cid,
                            "com.msc.alert.raised.v1",
                            hour,
                            {
                                "alert_id": f"a-{s}-{hour}",
                                "severity": "critical",
                                "alert_type": "backup_failed",
                                "message": "failed",
                                "backup_set_id": f"bs-{s}",
                            },
                        )
                    )
    by_topic[BACKUP_JOBS] += by_topic[BACKUP_JOBS][::40]  # agents' repeats
    return by_topic


def applied(url: str) -> float:
    text = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(("msc_events_applied_total", "msc_events_duplicates_ignored_total"))
    )


async def views(url: str) -> dict[str, Any]:
    out = {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for cid in CUSTOMERS:
            body = (
                await client.get(f"/api/v1/customers/{cid}/sla", params={"window": "7d"})
            ).json()
            body.pop("as_of")
            out[cid] = body
    return out


async def test_a_killed_instance_loses_nothing_and_doubles_nothing(
    infrastructure: Endpoints,
) -> None:
    events = stream()
    total = sum(len(v) for v in events.values())
    for topic, batch in events.items():
        await publish(infrastructure.kafka, topic, batch)

    def env(group: str, database: str, port: int) -> dict[str, str]:
        return service_env(
            Ports(sla_svc=port),
            {
                "KAFKA_BOOTSTRAP_SERVERS": infrastructure.kafka,
                "MONGODB_URL": infrastructure.mongodb,
                "SLA_SVC_CONSUMER_GROUP": group,
                "SLA_SVC_MONGODB_DATABASE": database,
                "SLA_SVC_BATCH_SIZE": "50",
                "SLA_SVC_PORT": str(port),
                "LOG_LEVEL": "WARNING",
            },
        )

    logs = Path(tempfile.mkdtemp(prefix="msc-kill-"))
    tag = secrets.token_hex(3)
    single = start_service(
        "sla_svc", 18092, env(f"single-{tag}", f"it_single_{tag}", 18092), logs, "-single"
    )
    first = start_service("sla_svc", 18093, env(f"pair-{tag}", f"it_pair_{tag}", 18093), logs, "-a")
    second = start_service(
        "sla_svc", 18094, env(f"pair-{tag}", f"it_pair_{tag}", 18094), logs, "-b"
    )
    try:
        wait_ready([single, first, second])

        async def single_done() -> bool:
            return applied(single.url) >= total

        async def first_mid_stream() -> bool:
            return applied(first.url) > 100

        await eventually(first_mid_stream, timeout_s=60, interval_s=0.05)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()

        await eventually(single_done, timeout_s=240)
        expected = await views(single.url)

        async def converged() -> bool:
            return await views(second.url) == expected

        # The survivor takes the killed member's partitions from their last commit.
        await eventually(converged, timeout_s=240, interval_s=1.0)
        assert sum(v["backup_jobs"]["total"] for v in expected.values()) == len(CUSTOMERS) * 4 * 24
        assert all(v["alerts"]["open"]["critical"] > 0 for v in expected.values())
    finally:
        stop_services([single, first, second])
