"""A save stopped half-way (a crash, or the fence when a member loses its partitions) is
finished by the next batch of the customer, on whichever instance, and nothing is counted
twice: not by a fresh instance, nor by one whose memory of the customer predates it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from msc_testkit.infrastructure import Endpoints
from msc_testkit.mongo import Db, throwaway_database
from services.sla_svc.tests.fakes import sla_service, view_of
from services.sla_svc.tests.history import deliver, job, raise_, upsert
from sla_svc.adapters.mongo_store import MongoSlaStore
from sla_svc.domain.ingest import Change
from sla_svc.service import SlaService


@pytest.fixture
async def db(infrastructure: Endpoints) -> AsyncIterator[Db]:
    async with throwaway_database(infrastructure.mongodb, "it_sla_half") as database:
        yield database


class Stopped(Exception):
    """The save stopped here."""


class StopsOnce:
    """A collection whose next write command stops the save."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.name = collection.name
        self.database = self
        self.armed = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def command(self, command: dict[str, Any]) -> Any:
        if self.armed and command.get("update") == self.name:
            self.armed = False
            raise Stopped(self.name)
        return await self._collection.database.command(command)


def service(store: MongoSlaStore) -> SlaService:
    return sla_service(store)


HISTORY: list[Change] = [
    upsert("bs-1", 50),
    *(job(f"j{n}", "successful", 30 - n, started_hours_ago=30.5 - n) for n in range(4)),
    raise_("a1", "warning", 3, set_id="bs-1"),
    job("j9", "failed", 0.2, started_hours_ago=0.5, error=("E", "x")),  # in the last hour
    job("j4", "successful", 0.1, started_hours_ago=0.3),
]


@pytest.mark.parametrize("stops_at", ["sla_hour_details", "sla_jobs", "sla_set_histories"])
async def test_a_save_stopped_half_way_is_finished_once_by_the_next_batch(
    db: Db, stops_at: str
) -> None:
    expected_store = MongoSlaStore(db.client[f"{db.name}_x"])
    alone = service(expected_store)
    await alone.apply(deliver("c-1", HISTORY))
    expected = {w: await view_of(alone, "c-1", w) for w in ("24h", "7d")}
    await db.client.drop_database(f"{db.name}_x")

    stops = MongoSlaStore(db)
    remembers, fresh = service(MongoSlaStore(db)), service(MongoSlaStore(db))
    await remembers.apply(deliver("c-1", HISTORY[:3]))  # it remembers this save
    target = {
        "sla_hour_details": "details_",
        "sla_jobs": "jobs_",
        "sla_set_histories": "histories_",
    }
    setattr(stops, target[stops_at], StopsOnce(getattr(stops, target[stops_at])))
    with pytest.raises(Stopped):
        await service(stops).apply(deliver("c-1", HISTORY[3:6]))  # the partition moved here
    # The partition comes back: the instance whose memory predates the stopped save, or a
    # fresh one, applies the batch again (uncommitted) with what followed.
    await remembers.apply(deliver("c-1", HISTORY[3:]))
    for window, view in expected.items():
        assert await view_of(fresh, "c-1", window) == view
    head = await db["sla_heads"].find_one({"_id": "c-1"}) or {}
    assert head["revision"] == head["finished"]
