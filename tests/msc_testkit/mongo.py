"""A database of its own on the test MongoDB-wire server, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

Db = AsyncDatabase[dict[str, Any]]


@asynccontextmanager
async def throwaway_database(url: str, prefix: str) -> AsyncIterator[Db]:
    """A database named `prefix` and a random suffix, on a tz-aware client; dropped, and
    the client closed, when the block ends."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    database = client[f"{prefix}_{uuid.uuid4().hex[:8]}"]
    try:
        yield database
    finally:
        await client.drop_database(database.name)
        await client.close()
