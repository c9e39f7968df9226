"""A topic deleted and created again (disaster recovery, a move to a new Kafka cluster)
starts its offsets at 0 again: new events still count, and a replay of the old ones into
it counts nothing twice. On the real broker (this test deletes and recreates
`backup.jobs` of the test broker: point `make test` at a throwaway cluster)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from msc_contracts.topics import BACKUP_JOBS, BACKUP_SETS
from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually, publish
from services.sla_svc.tests.integration.conftest import settings_for
from services.sla_svc.tests.integration.test_sla_consumers import event, job_data, sla_of
from sla_svc.main import create_app


async def recreate(bootstrap: str, topic: str) -> None:
    """Delete `topic` and create it again with as many partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (meta,) = await admin.describe_topics([topic])
        partitions = len(meta["partitions"])
        await admin.delete_topics([topic])
        for _ in range(100):  # deletion completes in the background
            try:
                await admin.create_topics([NewTopic(topic, partitions, 1)])
                break
            except TopicAlreadyExistsError:
                await asyncio.sleep(0.2)
        else:
            raise AssertionError(f"{topic} was not deleted within 20 s")
    finally:
        await admin.close()


async def test_a_recreated_topic_counts_new_events_and_a_replay_nothing_twice(
    infrastructure: Endpoints,
) -> None:
    cid = f"c-{uuid.uuid4().hex[:10]}"
    settings = settings_for(infrastructure)
    upsert = event(cid, "com.msc.backup_set.upserted.v1", {"backup_set_id": "bs-1", "name": "HQ"})
    history: list[dict[str, Any] | bytes] = [
        event(cid, "com.msc.backup.job.v1", job_data(f"j{n}", "successful", 30 + n))
        for n in range(5)
    ]
    await publish(infrastructure.kafka, BACKUP_SETS, [upsert])
    await publish(infrastructure.kafka, BACKUP_JOBS, history)
    async with running(create_app(settings)) as api:

        async def counted(n: int) -> Any:
            async def check() -> dict[str, Any] | None:
                view = await sla_of(api, cid)
                return view if view["backup_jobs"]["successful"] == n else None

            return check

        await eventually(await counted(5))

    await recreate(infrastructure.kafka, BACKUP_JOBS)
    # Ended in a whole hour of the window, which only the customer's figures count.
    failed_now = event(cid, "com.msc.backup.job.v1", job_data("j-new", "failed", 300))
    async with running(create_app(settings)) as api:
        await publish(infrastructure.kafka, BACKUP_JOBS, [failed_now])  # at offset 0 again

        async def failure_counted() -> dict[str, Any] | None:
            view = await sla_of(api, cid)
            return view if view["backup_jobs"]["failed"] == 1 else None

        view = await eventually(failure_counted, timeout_s=60)
        (row,) = view["backup_sets"]["items"]
        assert row["last_failure"]["job_id"] == "j-new"

        late = event(cid, "com.msc.backup.job.v1", job_data("j-late", "canceled", 200))
        await publish(infrastructure.kafka, BACKUP_JOBS, [*history, late])  # a replay, then more

        async def late_counted() -> dict[str, Any] | None:
            view = await sla_of(api, cid)
            return view if view["backup_jobs"]["canceled"] == 1 else None

        view = await eventually(late_counted, timeout_s=60)
        assert view["backup_jobs"]["successful"] == 5  # the replay counted nothing twice
        assert view["backup_jobs"]["total"] == 7
