"""sla_svc refuses a database written in another document shape instead of misreading it."""

from __future__ import annotations

import uuid

import pytest
from pymongo import AsyncMongoClient

from conftest import Endpoints
from sla_svc.adapters.mongo_store import STORED_FORMAT, MongoSlaStore, StoredFormatMismatch


async def test_an_empty_database_is_marked_and_an_older_one_refused(
    infrastructure: Endpoints,
) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(infrastructure.mongodb)
    try:
        fresh = MongoSlaStore(client[f"it_sla_fmt_{uuid.uuid4().hex[:8]}"])
        await fresh.check_format()
        await fresh.check_format()  # a restart on its own data
        assert await fresh.meta.find_one({"_id": "format"}) == {
            "_id": "format",
            "version": STORED_FORMAT,
        }

        older = MongoSlaStore(client[f"it_sla_fmt_{uuid.uuid4().hex[:8]}"])
        await older.customers.insert_one({"_id": "c-1", "sets": [], "offsets": []})
        with pytest.raises(StoredFormatMismatch, match="empty database"):
            await older.check_format()
    finally:
        await client.close()
