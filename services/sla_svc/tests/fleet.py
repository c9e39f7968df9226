"""A fleet's agent events for the scale-out tests, and the SLA the rules give them.

The expected views come from the rules themselves: the same events decoded by the contract
and applied once, in order, by `SlaService` on the in-memory store of the unit tests.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from typing import Any

from msc_contracts.events import decode_event
from msc_contracts.topics import BACKUP_ALERTS, BACKUP_JOBS, BACKUP_SETS
from msc_testkit.clock import FixedClock
from services.sla_svc.tests.fakes import FakeSlaStore, sla_service, view_of
from sla_svc.api.rendering import sla_public
from sla_svc.consumers import to_change

Event = dict[str, Any]
NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


def customers(prefix: str, count: int) -> list[str]:
    """Ids of a fleet of its own for one test."""
    run = uuid.uuid4().hex[:6]
    return [f"{prefix}-{run}-{i}" for i in range(count)]


def fleet_events(fleet: list[str], hours: int = 24, seed: int = 7) -> dict[str, list[Event]]:
    """Each customer's sets, two snapshots per hourly job and alerts for failures, every
    topic's events interleaved across customers and shuffled, a few repeated."""
    rng = random.Random(seed)
    by_topic: dict[str, list[Event]] = {BACKUP_SETS: [], BACKUP_JOBS: [], BACKUP_ALERTS: []}

    def event(cid: str, type_: str, hours_ago: float, data: dict[str, Any]) -> Event:
        return {
            "specversion": "1.0",
            "id": uuid.UUID(int=rng.getrandbits(128)).hex,
            "source": "urn:test",
            "type": type_,
            "time": (NOW - dt.timedelta(hours=hours_ago)).isoformat(),
            "customerid": cid,
            "data": data,
        }

    for cid in fleet:
        for s in range(4):
            set_data = {"backup_set_id": f"bs-{s}", "name": f"Set {s}", "workload": "VMware"}
            by_topic[BACKUP_SETS].append(
                event(cid, "com.msc.backup_set.upserted.v1", 500, set_data | {"rpo_hours": 6})
            )
        for hour in range(hours, 0, -1):
            for s in range(4):
                job = {
                    "job_id": f"j-{s}-{hour}",
                    "backup_set_id": f"bs-{s}",
                    "job_type": "backup" if hour % 5 else "restore",
                    "started_at": (NOW - dt.timedelta(hours=hour + 0.5)).isoformat(),
                }
                status = "failed" if (s + hour) % 7 == 0 else "successful"
                ended = (NOW - dt.timedelta(hours=hour)).isoformat()
                by_topic[BACKUP_JOBS] += [
                    event(cid, "com.msc.backup.job.v1", hour + 0.4, job | {"status": "running"}),
                    event(
                        cid,
                        "com.msc.backup.job.v1",
                        hour,
                        job | {"status": status, "ended_at": ended},
                    ),
                ]
                if status == "failed":
                    alert = {
                        "alert_id": f"a-{s}-{hour}",
                        "severity": "critical" if s % 2 else "warning",
                        "alert_type": "backup_failed",
                        "message": "failed",
                        "backup_set_id": f"bs-{s}",
                    }
                    by_topic[BACKUP_ALERTS].append(
                        event(cid, "com.msc.alert.raised.v1", hour, alert)
                    )
                    if hour % 3 == 0:
                        cleared = {"alert_id": alert["alert_id"]}
                        by_topic[BACKUP_ALERTS].append(
                            event(cid, "com.msc.alert.cleared.v1", hour - 0.5, cleared)
                        )
    for topic, events in by_topic.items():
        events += rng.sample(events, k=len(events) // 40)  # agents' repeats
        rng.shuffle(events)
        by_topic[topic] = events
    return by_topic


def halves(by_topic: dict[str, list[Event]]) -> tuple[dict[str, list[Event]], ...]:
    """The events cut in two, every topic at its middle."""
    first = {t: events[: len(events) // 2] for t, events in by_topic.items()}
    second = {t: events[len(events) // 2 :] for t, events in by_topic.items()}
    return first, second


async def expected_views(
    by_topic: dict[str, list[Event]], fleet: list[str], window: str = "7d"
) -> dict[str, dict[str, Any]]:
    """Each customer's SLA view by the rules, as the API writes it but for `as_of`."""
    sla = sla_service(FakeSlaStore(), clock=FixedClock(dt.datetime.now(dt.UTC)), customers=0)
    delivered = []
    for topic, events in by_topic.items():
        for raw in events:
            event = decode_event(json.dumps(raw).encode(), raw["customerid"].encode(), topic)
            delivered.append(to_change(event))
    await sla.apply(delivered)
    out = {}
    for cid in fleet:
        out[cid] = sla_public(await view_of(sla, cid, window)).model_dump(
            mode="json", exclude={"as_of"}
        )
    return out
