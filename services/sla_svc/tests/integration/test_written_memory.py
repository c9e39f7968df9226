"""The store remembers what it wrote of a customer and trusts it only while the customer's
head names the revision it wrote: on the real database, a customer written in turn by two
instances (a rebalance and back) ends as if one had written it all."""

from __future__ import annotations

import uuid
from typing import Any

from pymongo import AsyncMongoClient

from msc_testkit.infrastructure import Endpoints
from services.sla_svc.tests.fakes import sla_service, view_of
from services.sla_svc.tests.history import deliver, job, raise_, upsert
from sla_svc.adapters.mongo_store import MongoSlaStore
from sla_svc.domain.ingest import Change
from sla_svc.service import SlaService


class CountedReads:
    """A collection whose `find_one` calls are counted."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        self.reads += 1
        return await self._collection.find_one(*args, **kwargs)


def batches(cid: str) -> list[list[Any]]:
    changes: list[Change] = [upsert("bs-1", 50), upsert("bs-2", 50)]
    for n in range(12):
        changes.append(job(f"j{n}", "running", 40 - n, started_hours_ago=40 - n))
        status = "failed" if n % 4 == 0 else "successful"
        changes.append(job(f"j{n}", status, 39.5 - n, started_hours_ago=40 - n, set_id="bs-1"))
    changes.append(raise_("a1", "warning", 3, set_id="bs-1"))
    stream = deliver(cid, changes)
    return [stream[i : i + 5] for i in range(0, len(stream), 5)]


async def test_two_instances_writing_in_turn_end_as_one_writing_all(
    infrastructure: Endpoints,
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infrastructure.mongodb, tz_aware=True
    )
    try:
        db = client[f"it_sla_written_{uuid.uuid4().hex[:8]}"]
        first, second, alone = MongoSlaStore(db), MongoSlaStore(db), MongoSlaStore(db)
        counted = CountedReads(first.customers)
        first.customers = counted  # type: ignore[assignment]

        def service(store: MongoSlaStore) -> SlaService:
            return sla_service(store)

        a, b, one = service(first), service(second), service(alone)
        for n, batch in enumerate(batches("c-turns")):
            await (b if n in {3, 4} else a).apply(batch)  # the second takes over, then gives back
        for batch in batches("c-alone"):
            await one.apply(batch)
        # the first read the customer back only when it began, and after the second wrote it
        assert counted.reads == 2
        for window in ("24h", "7d"):
            turns, single = (
                await view_of(a, "c-turns", window),
                await view_of(one, "c-alone", window),
            )
            assert turns == single
        assert (await a.job_history("c-turns", "bs-1")).jobs == (
            await one.job_history("c-alone", "bs-1")
        ).jobs
    finally:
        await client.close()
