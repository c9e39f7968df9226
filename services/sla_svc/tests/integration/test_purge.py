"""A deleted customer's SLA data is purged for good: a purge that fails is retried until
done, and one a crash interrupted is taken up at the next start (rule 6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo.errors import AutoReconnect

from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually
from msc_testkit.mongo import Db, throwaway_database
from services.sla_svc.tests.fakes import sla_service
from services.sla_svc.tests.history import deliver, job, raise_
from sla_svc.adapters import mongo_store
from sla_svc.adapters.mongo_store import MongoSlaStore
from sla_svc.service import SlaService

KEPT = ("sla_hour_details", "sla_jobs", "sla_alerts", "sla_set_histories")


@pytest.fixture
async def db(infrastructure: Endpoints) -> AsyncIterator[Db]:
    async with throwaway_database(infrastructure.mongodb, "it_sla_purge") as database:
        yield database


class FailingDeletes:
    """A collection whose first `failures` deletions fail as a lost connection would."""

    def __init__(self, collection: Any, failures: int) -> None:
        self._collection, self.failures = collection, failures

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures:
            self.failures -= 1
            raise AutoReconnect("connection lost")
        return await self._collection.delete_many(*args, **kwargs)


async def kept_of(db: Db, customer_id: str) -> dict[str, int]:
    counts = {name: await db[name].count_documents({"customer_id": customer_id}) for name in KEPT}
    return {name: n for name, n in counts.items() if n}


async def filled(db: Db, store: MongoSlaStore, *customer_ids: str) -> SlaService:
    sla = sla_service(store)
    for cid in customer_ids:
        await sla.apply(deliver(cid, [job("j1", "failed", 2), raise_("a1", "warning", 1)]))
        assert await kept_of(db, cid)
    return sla


async def test_a_failing_purge_is_retried_until_done(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mongo_store, "PURGE_RETRY_FIRST_S", 0.05)
    store = MongoSlaStore(db)
    sla = await filled(db, store, "c-gone", "c-kept")
    store.jobs_ = FailingDeletes(store.jobs_, failures=3)  # type: ignore[assignment]
    await sla.forget("c-gone")

    async def purged() -> bool:
        head = await db["sla_heads"].find_one({"_id": "c-gone"}) or {}
        return bool(head.get("purged")) and not await kept_of(db, "c-gone")

    await eventually(purged, timeout_s=10)
    assert store.jobs_.failures == 0  # type: ignore[attr-defined]
    assert await kept_of(db, "c-kept")  # a neighbour's data stays
    await store.close()


async def test_a_purge_a_crash_interrupted_is_taken_up_at_the_next_start(db: Db) -> None:
    store = MongoSlaStore(db)
    await filled(db, store, "c-gone", "c-kept")
    # As a crash leaves it (and as format 6 left a purge that failed): tombstone, no purge.
    await db["sla_heads"].update_one({"_id": "c-gone"}, {"$set": {"deleted": True}})
    await db["sla_customers"].delete_one({"_id": "c-gone"})
    restarted = MongoSlaStore(db)
    assert await restarted.resume_purges() == 1

    async def purged() -> bool:
        return not await kept_of(db, "c-gone")

    await eventually(purged, timeout_s=10)
    assert await kept_of(db, "c-kept")
    assert await restarted.resume_purges() == 0  # done once and for all
    await restarted.close()
