"""MongoDB helpers that behave the same on MongoDB and on FerretDB."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from msc_platform.fencing import ensure_still_owned

Document = dict[str, Any]

OPS_PER_COMMAND = 20
"""FerretDB 1.x holds one SQLite connection per operation until a multi-operation command
ends, out of a pool of 100 per database: a command of 100 updates never finishes, nor do
five of 20 at once. Keep commands small and write to one database one command at a time."""
DUPLICATE_KEY = 11000
"""MongoDB's (and FerretDB's) code of a write that collides with an existing `_id`."""


def is_duplicate_key(exc: BaseException) -> bool:
    """True when a write was refused by a unique index. FerretDB (SQLite) says so with
    code 11000 on an insert but with an internal error naming the constraint on an update
    or a replacement, which PyMongo does not take for a `DuplicateKeyError`."""
    if isinstance(exc, DuplicateKeyError):
        return True
    return isinstance(exc, OperationFailure) and "UNIQUE constraint failed" in str(exc)


async def replace_by_id(collection: AsyncCollection[Document], docs: Sequence[Document]) -> None:
    """Replace (or insert) each document by its `_id`, `OPS_PER_COMMAND` to a round trip.

    Sent as a raw `update` command: FerretDB's answer to upserts lacks `nModified`, which
    PyMongo's `bulk_write` needs. Filters name `_id` alone, the only one FerretDB indexes.
    """
    if docs:
        updates = [{"q": {"_id": d["_id"]}, "u": d, "upsert": True} for d in docs]
        await _run(collection, "update", "updates", updates)


async def set_by_id(
    collection: AsyncCollection[Document], changes: Sequence[tuple[Any, Document]]
) -> None:
    """Set these fields of each document (created if missing), leaving its other fields."""
    if changes:
        updates = [
            {"q": {"_id": i}, "u": {"$set": fields}, "upsert": True} for i, fields in changes
        ]
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
        ensure_still_owned()  # a member that lost the batch's partitions writes no more
        chunk = ops[start : start + OPS_PER_COMMAND]
        reply = await collection.database.command(
            {command: collection.name, field: chunk, "ordered": True}
        )
        errors = reply.get("writeErrors") or []
        if errors and all(e.get("code") == DUPLICATE_KEY for e in errors):
            # Two upserts of one new document at once: retrying reads it as it now is.
            raise DuplicateKeyError(errors[0].get("errmsg", "duplicate key"), DUPLICATE_KEY)
        if errors or reply.get("writeConcernError"):
            raise BulkWriteError(dict(reply))


COMPRESSED_ABOVE = 1024
"""Packed states longer than this many bytes are stored compressed."""


def packed(state: object) -> str | bytes:
    """`state` as compact JSON, to store as one field; above `COMPRESSED_ABOVE` bytes,
    compressed (zlib, fastest level), stored as BSON binary.

    FerretDB's cost grows with each field it converts, so documents read often keep their
    bulk in one field; large ones are compressed because FerretDB reads and writes them
    faster by more than compression costs (README, "FerretDB": "Few fields per document").
    """
    text = json.dumps(state, separators=(",", ":"))
    if len(text) <= COMPRESSED_ABOVE:
        return text
    return compressed(text.encode())


def unpacked(field: str | bytes) -> Any:
    """The state `packed` stored (either form)."""
    return json.loads(zlib.decompress(field) if isinstance(field, bytes) else field)


def compressed(data: bytes) -> bytes:
    """`data` compressed as `packed` stores large states (zlib, fastest level); read it
    back with `zlib.decompress`."""
    return zlib.compress(data, 1)
