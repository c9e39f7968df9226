"""A service refuses a database written in another document shape instead of misreading it."""

from __future__ import annotations

import uuid

import pytest
from pymongo import AsyncMongoClient

from msc_platform.mongo import StoredFormatMismatch, check_stored_format
from msc_testkit.infrastructure import Endpoints


async def test_an_empty_database_is_marked_and_an_older_one_refused(
    infrastructure: Endpoints,
) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(infrastructure.mongodb)
    try:
        fresh = client[f"it_fmt_{uuid.uuid4().hex[:8]}"]
        await check_stored_format(fresh, 2, fresh["states"])
        await fresh["states"].insert_one({"_id": "s-1", "state": "{}"})
        await check_stored_format(fresh, 2, fresh["states"])  # a restart on its own data
        assert await fresh["meta"].find_one({"_id": "format"}) == {"_id": "format", "version": 2}
        with pytest.raises(StoredFormatMismatch, match="format 2, this service reads format 3"):
            await check_stored_format(fresh, 3, fresh["states"])

        unmarked = client[f"it_fmt_{uuid.uuid4().hex[:8]}"]
        await unmarked["states"].insert_one({"_id": "s-1", "days": {}})
        with pytest.raises(StoredFormatMismatch, match=r"format 1, .* empty database"):
            await check_stored_format(unmarked, 2, unmarked["states"])
    finally:
        await client.close()
