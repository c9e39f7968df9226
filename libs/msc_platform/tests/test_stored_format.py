"""A service upgrades a database written by an earlier release in place, step by step,
once however many instances start, finishing after a crash half-way; it refuses only what
it cannot migrate, saying what to run."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from prometheus_client import CollectorRegistry

from msc_platform.stored_format import (
    Migration,
    MigrationMetrics,
    Progress,
    StoredFormatMismatch,
    upgrade_stored_format,
)
from msc_testkit.infrastructure import Endpoints
from msc_testkit.mongo import Db, throwaway_database


@pytest.fixture
async def db(infrastructure: Endpoints) -> AsyncIterator[Db]:
    async with throwaway_database(infrastructure.mongodb, "it_fmt") as database:
        yield database


async def test_an_empty_database_is_marked_and_what_cannot_be_migrated_refused(db: Db) -> None:
    await upgrade_stored_format(db, 2, db["states"])
    await db["states"].insert_one({"_id": "s-1", "state": "{}"})
    await upgrade_stored_format(db, 2, db["states"])  # a restart on its own data
    assert await db["meta"].find_one({"_id": "format"}) == {"_id": "format", "version": 2}
    with pytest.raises(StoredFormatMismatch, match=r"format 2, .* migrates from format 3 on"):
        await upgrade_stored_format(db, 3, db["states"])
    with pytest.raises(StoredFormatMismatch, match="format 2, written by a newer release"):
        await upgrade_stored_format(db, 1, db["states"])
    unmarked = db.client[f"it_fmt_{uuid.uuid4().hex[:8]}"]
    await unmarked["states"].insert_one({"_id": "s-1", "days": {}})
    with pytest.raises(StoredFormatMismatch, match=r"format 1, .* if a release migrates format 1"):
        await upgrade_stored_format(unmarked, 2, unmarked["states"])
    await db.client.drop_database(unmarked.name)


class Doubling:
    """A step that doubles every document's `n` once (marking each done), optionally
    dying half-way through; it counts its runs."""

    def __init__(self, db: Db, source: int, die_after: int | None = None) -> None:
        self.db, self.source, self.die_after, self.runs = db, source, die_after, 0

    @property
    def migration(self) -> Migration:
        return Migration(self.source, f"double n ({self.source})", self.run)

    async def run(self, progress: Progress) -> None:
        self.runs += 1
        await asyncio.sleep(0.2)  # long enough for another instance to try meanwhile
        docs = await self.db["states"].find({}).sort("_id").to_list()
        for done, doc in enumerate(docs, 1):
            if self.source not in doc.get("steps", []):
                await self.db["states"].update_one(
                    {"_id": doc["_id"]},
                    {"$set": {"n": doc["n"] * 2, "steps": [*doc.get("steps", []), self.source]}},
                )
            progress(done, len(docs))
            if self.die_after is not None and done == self.die_after:
                self.die_after = None
                raise RuntimeError("the process died here")


async def test_steps_run_in_order_finish_after_a_crash_and_run_once_for_many_instances(
    db: Db,
) -> None:
    await upgrade_stored_format(db, 1, db["states"])
    await db["states"].insert_many([{"_id": f"s-{i}", "n": i} for i in range(1, 5)])
    first, second = Doubling(db, 1, die_after=2), Doubling(db, 2)
    steps = [second.migration, first.migration]  # given in any order
    with pytest.raises(RuntimeError, match="died"):
        await upgrade_stored_format(db, 3, db["states"], steps)
    assert (await db["meta"].find_one({"_id": "format"}) or {})["version"] == 1
    assert await db["meta"].find_one({"_id": "migration"}) is None  # the lease is given back

    metrics = [MigrationMetrics(CollectorRegistry()) for _ in range(3)]
    await asyncio.gather(*(upgrade_stored_format(db, 3, db["states"], steps, m) for m in metrics))
    assert (first.runs, second.runs) == (2, 1)  # the crashed step again, then the next, once
    docs = await db["states"].find({}).sort("_id").to_list()
    assert [d["n"] for d in docs] == [4, 8, 12, 16]  # each doubled once per step
    assert (await db["meta"].find_one({"_id": "format"}) or {})["version"] == 3
    assert all(m.version._value.get() == 3 for m in metrics)
    assert any(m.done._value.get() == 4 for m in metrics)
