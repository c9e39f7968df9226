"""MongoDB helpers that behave the same on MongoDB and on FerretDB."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

Document = dict[str, Any]

OPS_PER_COMMAND = 20
"""FerretDB 1.x holds one SQLite connection per operation until a multi-operation command
ends, out of a pool of 100 per database: a command of 100 updates never finishes, nor do
five of 20 at once. Keep commands small and write to one database one command at a time."""


async def replace_by_id(collection: AsyncCollection[Document], docs: Sequence[Document]) -> None:
    """Replace (or insert) each document by its `_id`, `OPS_PER_COMMAND` to a round trip.

    Sent as a raw `update` command: FerretDB's answer to upserts lacks `nModified`, which
    PyMongo's `bulk_write` needs. Filters name `_id` alone, the only one FerretDB indexes.
    """
    if docs:
        updates = [{"q": {"_id": d["_id"]}, "u": d, "upsert": True} for d in docs]
        await _run(collection, "update", "updates", updates)


async def delete_by_id(collection: AsyncCollection[Document], ids: Sequence[Any]) -> None:
    """Delete each document by its `_id`, `OPS_PER_COMMAND` to a round trip."""
    if ids:
        deletes = [{"q": {"_id": i}, "limit": 1} for i in ids]
        await _run(collection, "delete", "deletes", deletes)


async def _run(
    collection: AsyncCollection[Document], command: str, field: str, ops: list[Document]
) -> None:
    for start in range(0, len(ops), OPS_PER_COMMAND):
        chunk = ops[start : start + OPS_PER_COMMAND]
        reply = await collection.database.command(
            {command: collection.name, field: chunk, "ordered": True}
        )
        if reply.get("writeErrors") or reply.get("writeConcernError"):
            raise BulkWriteError(dict(reply))
