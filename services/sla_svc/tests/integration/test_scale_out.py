"""Several sla_svc processes in one consumer group on the real broker: whatever the number
of instances, the rebalances, partitions added while they run or an instance killed, the
figures equal what the rules give the same events (`fleet.expected_views`)."""

from __future__ import annotations

import secrets
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions

from msc_contracts.topics import BACKUP_JOBS, BACKUP_SETS
from msc_local.processes import (
    Ports,
    Service,
    metric_sum,
    service_env,
    start_service,
    stop_services,
    wait_ready,
)
from msc_testkit.credentials import service_auth
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually, partition_of, publish
from services.sla_svc.tests.fleet import (
    Event,
    customers,
    expected_views,
    fleet_events,
    halves,
)

FIRST_PORT = 18093


class Group:
    """sla_svc processes sharing one consumer group and one database."""

    def __init__(self, infrastructure: Endpoints, **env: str) -> None:
        tag = secrets.token_hex(3)
        self._infrastructure = infrastructure
        self._env = {
            "KAFKA_BOOTSTRAP_SERVERS": infrastructure.kafka,
            "MONGODB_URL": infrastructure.mongodb,
            "SLA_SVC_CONSUMER_GROUP": f"scale-{tag}",
            "SLA_SVC_MONGODB_DATABASE": f"it_scale_{tag}",
            "SLA_SVC_BATCH_SIZE": "100",
            "LOG_LEVEL": "WARNING",
        } | env
        self._logs = Path(tempfile.mkdtemp(prefix="msc-scale-"))
        self.members: list[Service] = []

    def start(self, count: int) -> list[Service]:
        """`count` more members, once each answers `/readyz`."""
        new = []
        for _ in range(count):
            port = FIRST_PORT + len(self.members)
            env = service_env(Ports(sla_svc=port), self._env | {"SLA_SVC_PORT": str(port)})
            member = start_service("sla_svc", port, env, self._logs, f"-{len(self.members)}")
            self.members.append(member)
            new.append(member)
        wait_ready(new)
        return new

    def alive(self) -> list[Service]:
        return [m for m in self.members if m.process.poll() is None]

    async def views(self, fleet: list[str]) -> dict[str, dict[str, Any]]:
        """Each customer's SLA, asked of the members in turn."""
        out = {}
        members = self.alive()
        for i, cid in enumerate(fleet):
            url = members[i % len(members)].url
            async with httpx.AsyncClient(
                base_url=url, timeout=30, headers=service_auth()
            ) as client:
                answer = await client.get(f"/api/v1/customers/{cid}/sla", params={"window": "7d"})
            body: dict[str, Any] = answer.json()
            body.pop("as_of", None)
            out[cid] = body
        return out

    async def converge(self, fleet: list[str], expected: dict[str, dict[str, Any]]) -> None:
        """Wait until every customer's figures equal the expected ones; fail with the
        customers that still differ."""

        async def differing() -> list[str]:
            seen = await self.views(fleet)
            return [cid for cid in fleet if seen[cid] != expected[cid]]

        async def equal() -> bool:
            return not await differing()

        try:
            await eventually(equal, timeout_s=300, interval_s=1.0)
        except AssertionError as exc:
            raise AssertionError(f"customers still differing: {await differing()}") from exc


@contextmanager
def group(infrastructure: Endpoints, **env: str) -> Iterator[Group]:
    running = Group(infrastructure, **env)
    try:
        yield running
    finally:
        stop_services(running.members)


async def publish_all(kafka: str, by_topic: dict[str, list[Event]]) -> None:
    for topic, events in by_topic.items():
        await publish(kafka, topic, list(events))


def applied(service: Service) -> float:
    return metric_sum(
        service.url, ("msc_events_applied_total", "msc_events_duplicates_ignored_total")
    )


@pytest.mark.parametrize("instances", [3, 4])
async def test_instances_sharing_six_partitions_equal_the_rules(
    infrastructure: Endpoints, instances: int
) -> None:
    """With 4 members on 6 partitions, round-robin assignment gave partition i of two
    topics to two members, which rewrote one customer's figures over each other."""
    fleet = customers(f"scale{instances}", 10)
    events = fleet_events(fleet)
    expected = await expected_views(events, fleet)
    first, second = halves(events)
    with group(infrastructure) as members:
        members.start(1)
        await publish_all(infrastructure.kafka, first)
        members.start(instances - 1)  # joining mid-stream: rebalances while applying
        await publish_all(infrastructure.kafka, second)
        await members.converge(fleet, expected)


async def test_partitions_added_while_running_lose_no_event(infrastructure: Endpoints) -> None:
    """Customers whose key moves to a new partition once `backup.jobs` and `backup.sets`
    gain partitions: their events there start at offset 0, after higher offsets of their
    old partition were counted."""
    fleet = customers("grow", 12)
    events = fleet_events(fleet)
    expected = await expected_views(events, fleet)
    first, second = halves(events)
    with group(infrastructure, KAFKA_METADATA_MAX_AGE_MS="1000") as members:
        members.start(3)
        await publish_all(infrastructure.kafka, first)
        admin = AIOKafkaAdminClient(bootstrap_servers=infrastructure.kafka)
        await admin.start()
        try:
            counts = {
                t: len(meta["partitions"])
                for meta in await admin.describe_topics([BACKUP_JOBS, BACKUP_SETS])
                for t in [meta["topic"]]
            }
            raised = {t: 2 * n for t, n in counts.items()}
            await admin.create_partitions({t: NewPartitions(n) for t, n in raised.items()})
        finally:
            await admin.close()
        moved = [
            cid
            for cid in fleet
            if partition_of(cid.encode(), raised[BACKUP_JOBS])
            != partition_of(cid.encode(), counts[BACKUP_JOBS])
        ]
        assert moved, "no customer of the fleet moved partition; the test proves nothing"
        await publish_all(infrastructure.kafka, second)
        await members.converge(fleet, expected)


async def test_an_instance_killed_mid_stream_loses_and_doubles_nothing(
    infrastructure: Endpoints,
) -> None:
    fleet = customers("kill", 12)
    events = fleet_events(fleet)
    expected = await expected_views(events, fleet)
    with group(infrastructure) as members:
        victim, *_ = members.start(3)
        await publish_all(infrastructure.kafka, events)

        async def mid_stream() -> bool:
            return applied(victim) > 100

        await eventually(mid_stream, timeout_s=120, interval_s=0.05)
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        # The survivors take its partitions from their last commit.
        await members.converge(fleet, expected)
