"""MongoDB helpers that behave the same on MongoDB and on FerretDB."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

Document = dict[str, Any]


async def replace_by_id(collection: AsyncCollection[Document], docs: Sequence[Document]) -> None:
    """Replace (or insert) each document by its `_id` in one round trip.

    Sent as a raw `update` command: FerretDB's answer to upserts lacks `nModified`, which
    PyMongo's `bulk_write` needs. Filters name `_id` alone, the only one FerretDB indexes.
    """
    if docs:
        updates = [{"q": {"_id": d["_id"]}, "u": d, "upsert": True} for d in docs]
        await _run(collection, "update", "updates", updates)


async def delete_by_id(collection: AsyncCollection[Document], ids: Sequence[Any]) -> None:
    """Delete each document by its `_id` in one round trip."""
    if ids:
        deletes = [{"q": {"_id": i}, "limit": 1} for i in ids]
        await _run(collection, "delete", "deletes", deletes)


async def _run(
    collection: AsyncCollection[Document], command: str, field: str, ops: list[Document]
) -> None:
    reply = await collection.database.command(
        {command: collection.name, field: ops, "ordered": True}
    )
    if reply.get("writeErrors") or reply.get("writeConcernError"):
        raise BulkWriteError(dict(reply))
