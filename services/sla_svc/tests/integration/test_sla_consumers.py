"""sla_svc on the real servers: events in through Kafka, the SLA tab out through HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import httpx

from msc_contracts.topics import (
    BACKUP_ALERTS,
    BACKUP_JOBS,
    BACKUP_SETS,
    CUSTOMER_EVENTS,
    dead_letter_topic,
)
from msc_platform.http import ACTOR_HEADER
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually, publish, read_all

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def event(
    cid: str, type_: str, data: dict[str, Any], minutes_ago: float = 0, eid: str | None = None
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": eid or f"e-{uuid.uuid4().hex}",
        "source": "urn:msc:agent:ag-9",
        "type": type_,
        "time": (NOW - dt.timedelta(minutes=minutes_ago)).isoformat(),
        "customerid": cid,
        "data": data,
    }


def job_data(
    job_id: str, status: str, ended_minutes_ago: float | None, set_id: str = "bs-1"
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "job_id": job_id,
        "backup_set_id": set_id,
        "job_type": "backup",
        "status": status,
        "started_at": (NOW - dt.timedelta(hours=1)).isoformat(),
    }
    if ended_minutes_ago is not None:
        data["ended_at"] = (NOW - dt.timedelta(minutes=ended_minutes_ago)).isoformat()
    return data


async def sla_of(api: httpx.AsyncClient, cid: str, window: str = "7d") -> dict[str, Any]:
    answer = await api.get(f"/api/v1/customers/{cid}/sla", params={"window": window})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


DEAD_LETTERED = 'msc_events_dead_lettered_total{topic="backup.jobs"}'
SKIPPED = 'msc_events_skipped_unknown_type_total{topic="backup.jobs",type="com.msc.backup.job.v9"}'


async def counted(api: httpx.AsyncClient, sample: str) -> float:
    """A sample of the service's metrics now (0 before it is first counted)."""
    rows = (await api.get("/metrics")).text.splitlines()
    found = [float(row.removeprefix(f"{sample} ")) for row in rows if row.startswith(f"{sample} ")]
    return found[0] if found else 0.0


async def settled(api: httpx.AsyncClient, *samples: str) -> list[float]:
    """The samples once they have not moved for a second (the topic's backlog is read)."""
    last: list[float] = []
    while (now := [await counted(api, s) for s in samples]) != last:
        last = now
        await asyncio.sleep(1)
    return now


async def test_bad_events_go_to_the_dead_letter_topic_and_the_next_one_applies(
    sla_api: httpx.AsyncClient, infrastructure: Endpoints
) -> None:
    cid = f"c-{uuid.uuid4().hex[:10]}"
    missing_field = event(cid, "com.msc.backup.job.v1", job_data("j0", "failed", 5))
    del missing_field["data"]["job_id"]
    too_old = event(cid, "com.msc.backup.job.v1", job_data("j0", "failed", 5))
    too_old["data"]["ended_at"] = "1999-12-31T23:59:59Z"
    cases: list[tuple[dict[str, Any] | bytes, str]] = [
        (b"{not json", "not valid JSON"),
        # Once retried forever, holding up every event behind it on the partition. The
        # reason varies: Python 3.11's parser refuses the depth, later ones the schema.
        (b'{"a":' * 3000 + b"1" + b"}" * 3000, ""),
        (too_old, "data.ended_at"),
        (
            event(
                cid,
                "com.msc.backup.job.v1",
                job_data("j0", "failed", 5) | {"error_message": "x" * 5000},
            ),
            "data.error_message",
        ),
        # Near the broker's limit (KAFKA_MAX_MESSAGE_BYTES, 1 MiB): cut to fit the dead letter.
        (b"[" + b" " * 1_048_000 + b"]", "more than"),
        (missing_field, "data.job_id"),
        (
            event(cid, "com.msc.backup.job.v1", job_data("j0", "failed", None)),
            "ended_at is required",
        ),
        (
            event("someone-else", "com.msc.backup.job.v1", job_data("j0", "failed", 5)),
            "differs from the message key",
        ),
        (
            event(cid, "com.msc.backup.job.v1", job_data("j0", "failed", 5))
            | {"time": "not a time"},
            "time",
        ),
    ]
    valid = event(cid, "com.msc.backup.job.v1", job_data("j1", "successful", 5))
    unknown = event(cid, "com.msc.backup.job.v9", {"anything": 1})
    # The fresh group reads the topic from its start: what earlier runs left on a broker
    # used again is dead-lettered first, and not counted here.
    dead_before, skipped_before = await settled(sla_api, DEAD_LETTERED, SKIPPED)
    await publish(
        infrastructure.kafka, BACKUP_JOBS, [c for c, _ in cases] + [unknown, valid], key=cid
    )

    async def applied() -> dict[str, Any] | None:
        view = await sla_of(sla_api, cid)
        return view if view["backup_jobs"]["successful"] == 1 else None

    view = await eventually(applied)
    assert view["backup_jobs"]["total"] == 1
    dead = await read_all(infrastructure.kafka, dead_letter_topic(BACKUP_JOBS), key=cid)
    reasons = [dict((k, v.decode()) for k, v in r.headers)["x-dlq-reason"] for r in dead]
    assert len(reasons) == len(cases), reasons
    for (_, expected), reason in zip(cases, reasons, strict=True):
        assert expected in reason, (expected, reason)
    headers = dict((k, v.decode()) for k, v in dead[0].headers)
    assert headers["x-original-topic"] == BACKUP_JOBS
    assert dead[0].value == b"{not json"
    metrics = (await sla_api.get("/metrics")).text
    assert await counted(sla_api, DEAD_LETTERED) - dead_before == len(cases)
    cut = {k: v.decode() for k, v in dead[4].headers}
    assert cut["x-dlq-truncated"].startswith("1048002 bytes cut to ")
    assert len(dead[4].value) < 1_048_002
    assert await counted(sla_api, SKIPPED) - skipped_before == 1
    assert "msc_consumer_lag" in metrics


async def test_the_sla_tab_from_sets_jobs_and_alerts(
    sla_api: httpx.AsyncClient, infrastructure: Endpoints
) -> None:
    cid = f"c-{uuid.uuid4().hex[:10]}"
    sets = [
        event(
            cid,
            "com.msc.backup_set.upserted.v1",
            {"backup_set_id": "bs-1", "name": "HQ", "workload": "VMware", "rpo_hours": 1},
            600,
        ),
        event(
            cid,
            "com.msc.backup_set.upserted.v1",
            {"backup_set_id": "bs-2", "name": "M365", "workload": "Microsoft 365"},
            600,
        ),
    ]
    jobs = [
        event(cid, "com.msc.backup.job.v1", job_data("j1", "successful", 120), 120),
        event(cid, "com.msc.backup.job.v1", job_data("j2", "failed", 10, set_id="bs-2"), 10),
        event(cid, "com.msc.backup.job.v1", job_data("j2", "running", None, set_id="bs-2"), 5),
    ]
    alerts = [
        event(
            cid,
            "com.msc.alert.raised.v1",
            {
                "alert_id": "a1",
                "severity": "critical",
                "alert_type": "backup_failed",
                "message": "j2 failed",
                "backup_set_id": "bs-2",
            },
            9,
        ),
        event(
            cid,
            "com.msc.alert.raised.v1",
            {"alert_id": "a2", "severity": "warning", "alert_type": "quota", "message": "80%"},
            30,
        ),
        event(cid, "com.msc.alert.cleared.v1", {"alert_id": "a2"}, 20),
    ]
    await publish(infrastructure.kafka, BACKUP_SETS, sets)
    await publish(infrastructure.kafka, BACKUP_JOBS, jobs)
    await publish(infrastructure.kafka, BACKUP_ALERTS, alerts)

    async def complete() -> dict[str, Any] | None:
        view = await sla_of(sla_api, cid, "24h")
        # Every event applied: both jobs, both sets, and a2's clear after its raise
        # (they can land in separate batches).
        done = (
            view["backup_jobs"]["total"] == 2
            and view["alerts"]["raised_in_window"]["warning"] == 1
            and view["alerts"]["open"]["warning"] == 0
        )
        # Both sets named: their jobs alone list them too, before backup.sets is read.
        named = [r["name"] for r in view["backup_sets"]["items"]] == ["HQ", "M365"]
        return view if done and named else None

    view = await eventually(complete)
    assert view["window"] == "24h"
    assert view["backup_jobs"] == {
        "total": 2,
        "successful": 1,
        "successful_with_errors": 0,
        "failed": 1,
        "canceled": 0,
        "success_rate": 0.5,
    }
    assert view["alerts"] == {
        "open": {"critical": 1, "warning": 0, "info": 0},
        "acknowledged": {"critical": 0, "warning": 0, "info": 0},
        "raised_in_window": {"critical": 1, "warning": 1, "info": 0},
    }

    async def listed() -> list[tuple[str, str, str]] | None:  # its state is written last
        page = (await sla_api.get(f"/api/v1/customers/{cid}/alerts")).json()
        rows = [(a["alert_id"], a["alert_type"], a["message"]) for a in page["items"]]
        return rows if rows and rows[0][1] else None

    assert await eventually(listed) == [("a1", "backup_failed", "j2 failed")]
    acknowledging = f"/api/v1/customers/{cid}/alerts/acknowledgements"
    cleared = await sla_api.post(acknowledging, json={"alert_id": "a2"})
    assert cleared.status_code == 409
    assert (await sla_api.post(acknowledging, json={"alert_id": "zz"})).status_code == 404
    accepted = await sla_api.post(
        acknowledging, json={"alert_id": "a1"}, headers={ACTOR_HEADER: "dana"}
    )
    assert accepted.status_code == 202 and accepted.json()["acknowledged"]["by"] == "dana"

    async def acknowledged() -> dict[str, Any] | None:  # applied through backup.alerts
        page = (await sla_api.get(f"/api/v1/customers/{cid}/alerts")).json()
        return page if page["items"][0]["acknowledged"] else None

    assert (await eventually(acknowledged))["items"][0]["acknowledged"]["by"] == "dana"
    counts = (await sla_of(sla_api, cid, "24h"))["alerts"]
    assert counts["open"]["critical"] == 1 and counts["acknowledged"]["critical"] == 1
    again = await sla_api.post(acknowledging, json={"alert_id": "a1"}, headers={ACTOR_HEADER: "x"})
    assert again.status_code == 202 and again.json()["acknowledged"]["by"] == "dana"
    rows = {r["backup_set_id"]: r for r in view["backup_sets"]["items"]}
    assert rows["bs-1"]["rpo_status"] == "breached" and rows["bs-1"]["name"] == "HQ"
    assert rows["bs-2"]["rpo_status"] == "never" and rows["bs-2"]["open_alerts"] == 1
    assert rows["bs-2"]["last_backup"]["status"] == "failed"
    assert view["backup_sets"]["rpo_breached"] == 1 and view["backup_sets"]["never_backed_up"] == 1

    health = await sla_api.post("/api/v1/sla-health", json={"customer_ids": [cid, "c-nobody"]})
    assert health.json() == {"items": {cid: "critical", "c-nobody": "unknown"}}
    bad = await sla_api.get(f"/api/v1/customers/{cid}/sla", params={"window": "1h"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "window"

    deleted = {
        "specversion": "1.0",
        "id": f"{cid}.v9",
        "source": "urn:msc:customer-svc",
        "type": "com.msc.customer.deleted.v1",
        "time": NOW.isoformat(),
        "customerid": cid,
        "data": {"customer_id": cid},
    }
    await publish(infrastructure.kafka, CUSTOMER_EVENTS, [deleted])

    async def purged() -> bool:
        answer = await sla_api.get(f"/api/v1/customers/{cid}/sla")
        return answer.status_code == 404

    await eventually(purged)
    late = event(cid, "com.msc.backup.job.v1", job_data("j9", "successful", 1), 1)
    await publish(infrastructure.kafka, BACKUP_JOBS, [late])
    assert (await sla_api.get(f"/api/v1/customers/{cid}/sla")).status_code == 404


async def test_a_deletion_naming_another_customer_is_dead_lettered_and_deletes_nothing(
    sla_api: httpx.AsyncClient, infrastructure: Endpoints
) -> None:
    victim, forger = f"c-{uuid.uuid4().hex[:10]}", f"c-{uuid.uuid4().hex[:10]}"
    jobs = [
        event(cid, "com.msc.backup.job.v1", job_data("j1", "successful", 5))
        for cid in (victim, forger)
    ]
    await publish(infrastructure.kafka, BACKUP_JOBS, jobs)

    async def both_applied() -> bool:
        views = [await sla_of(sla_api, cid) for cid in (victim, forger)]
        return all(v["backup_jobs"]["total"] == 1 for v in views)

    await eventually(both_applied)
    forged = event(forger, "com.msc.customer.deleted.v1", {"customer_id": victim})
    await publish(infrastructure.kafka, CUSTOMER_EVENTS, [forged])

    async def dead_lettered() -> list[Any]:
        return await read_all(
            infrastructure.kafka, dead_letter_topic(CUSTOMER_EVENTS), key=forger, settle_s=1
        )

    (dead,) = await eventually(dead_lettered)
    assert "data.customer_id" in {k: v.decode() for k, v in dead.headers}["x-dlq-reason"]
    for cid in (victim, forger):
        assert (await sla_of(sla_api, cid))["backup_jobs"]["total"] == 1


async def test_paths_whose_ids_are_not_ids_are_not_found(sla_api: httpx.AsyncClient) -> None:
    for cid in ("%2E%2E", "c-1%2Fx", "c%00", "c" * 129):
        answer = await sla_api.get(f"/api/v1/customers/{cid}/sla")
        assert answer.status_code == 404, (cid, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json"
