"""Customers in MongoDB, written safely on servers whose updates are not atomic (FerretDB).

Only single-key `{"_id": ...}` filters are used on hot paths: FerretDB's SQLite backend
pushes nothing else down to an index. A write of version N first inserts the revision
document `<id>:N`; its `_id` makes the claim unique, atomically, on every server. The
revision holds the full new state and the lifecycle events it announces, and only the
claim's winner then replaces the customer document. So of many writers holding the same
ETag exactly one wins, and no event can be lost: it is stored before the change is
visible, and the relay (`outbox_relay.py`) publishes it and then deletes the revision.
A revision whose writer died before replacing the customer is rolled forward by the
relay after a grace period. The revision also holds the change's audit trail entry, which
the winner writes to `customer_activity` (`_id` `<id>:N` too) once the change is visible,
and the relay again before it deletes the revision, so a writer that died in between loses
no entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Collection
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from customer_svc.adapters.documents import (
    activity_from_document,
    activity_to_document,
    event_to_document,
    from_document,
    to_document,
)
from customer_svc.domain.activity import Activity
from customer_svc.domain.errors import DuplicateAccountName, StaleVersion
from customer_svc.domain.model import Customer
from msc_platform.clock import Clock
from msc_platform.mongo import is_duplicate_key
from msc_platform.tracing import current_carrier

Document = dict[str, Any]
log = logging.getLogger(__name__)
LOOKUPS_AT_ONCE = 50
"""Reads by `_id` sent together (PyMongo's pool holds 100 connections)."""


def revision_id(customer_id: str, version: int) -> str:
    """The `_id` of a customer's revision document: unique per customer and version."""
    return f"{customer_id}:{version}"


class MongoCustomerRepository:
    """The `CustomerRepository` port on MongoDB or FerretDB."""

    def __init__(self, db: AsyncDatabase[Document], clock: Clock) -> None:
        self.customers: AsyncCollection[Document] = db["customers"]
        self.revisions: AsyncCollection[Document] = db["customer_revisions"]
        self.activities: AsyncCollection[Document] = db["customer_activity"]
        self._clock = clock

    async def ensure_indexes(self) -> None:
        """Create the indexes the queries and the uniqueness rule need, and drop the
        published revisions that versions before 1.1 kept."""
        await self.revisions.delete_many({"published": True})
        await self.customers.create_index("name_key", unique=True, name="name_key_unique")
        await self.revisions.create_index(
            [("published", ASCENDING), ("customer_id", ASCENDING), ("version", ASCENDING)],
            name="pending",
        )

    async def add(self, customer: Customer) -> None:
        """Store a new customer."""
        await self._claim(customer)
        try:
            await self.customers.insert_one(to_document(customer))
        except DuplicateKeyError as exc:
            await self.revisions.delete_one({"_id": revision_id(customer.id, customer.version)})
            raise DuplicateAccountName(customer.account.name) from exc
        except BaseException:
            await self._release(customer)
            raise
        await self._record(customer.id, customer.pending_activity)

    async def get(self, customer_id: str) -> Customer | None:
        """The current customer, None when missing or deleted."""
        doc = await self.customers.find_one({"_id": customer_id})
        if doc is None or doc.get("deleted"):
            return None
        return from_document(doc)

    async def latest(self, customer_id: str) -> Customer | None:
        """The last version of the customer, deleted or not, without its contacts; None if
        it never existed."""
        doc = await self.customers.find_one({"_id": customer_id}, {"contacts": 0})
        return None if doc is None else from_document(doc)

    async def stored(self, customer_ids: Collection[str]) -> dict[str, bool]:
        """Of these ids, each one stored (live or deleted), with True when deleted.

        One read by `_id` each, `LOOKUPS_AT_ONCE` at a time: FerretDB answers an `$in`
        by scanning the collection (1 s for 300 ids among 20,000; the lookups, 0.2 s).
        """
        found: dict[str, bool] = {}
        ids = list(customer_ids)
        for start in range(0, len(ids), LOOKUPS_AT_ONCE):
            docs = await asyncio.gather(
                *(
                    self.customers.find_one({"_id": cid}, {"deleted": 1})
                    for cid in ids[start : start + LOOKUPS_AT_ONCE]
                )
            )
            found.update((doc["_id"], bool(doc.get("deleted"))) for doc in docs if doc)
        return found

    async def save(self, customer: Customer) -> None:
        """Store `customer` as the successor of the version before it."""
        await self._claim(customer)
        try:
            # The claim won only if nobody wrote this version; a customer that moved on
            # long ago (its old revisions pruned) is caught by reading the version again.
            if await self.current_version(customer.id) != customer.version - 1:
                raise StaleVersion(f"{customer.id} is past version {customer.version - 1}")
            await self.customers.replace_one({"_id": customer.id}, to_document(customer))
        except BaseException as exc:
            await self._release(customer)
            if is_duplicate_key(exc):  # FerretDB refuses a replacement by another error
                raise DuplicateAccountName(customer.account.name) from exc
            raise
        await self._record(customer.id, customer.pending_activity)

    async def activity(self, customer_id: str, versions: list[int]) -> list[Activity]:
        """The audit trail entries of these versions of the customer, in the order asked,
        those not (or not yet) recorded left out; one read by `_id` each."""
        docs = await asyncio.gather(
            *(self.activities.find_one({"_id": revision_id(customer_id, v)}) for v in versions)
        )
        return [activity_from_document(doc) for doc in docs if doc is not None]

    async def _record(self, customer_id: str, activity: Activity | None) -> None:
        """The writer's copy of the entry, once its change is visible. The change is made
        whatever happens here: the relay writes the entry again from the revision before
        deleting it, so a failure costs nothing but a moment's delay in the trail."""
        if activity is None:
            return
        try:
            await self._write_activity(
                revision_id(customer_id, activity.version),
                activity_to_document(customer_id, activity),
            )
        except PyMongoError:
            log.warning("activity of %s v%s left to the relay", customer_id, activity.version)

    async def _write_activity(self, entry_id: str, doc: Document) -> None:
        # The writer and the relay may upsert the same entry at once: one of them gets a
        # duplicate key, and the entry is there.
        with contextlib.suppress(DuplicateKeyError):
            await self.activities.replace_one({"_id": entry_id}, doc, upsert=True)

    async def live_ids(self) -> set[str]:
        """The id of every customer that is not deleted (one scan, ids only)."""
        return {doc["_id"] async for doc in self.customers.find({"deleted": False}, {"_id": 1})}

    async def all_live(self) -> list[Customer]:
        """Every customer that is not deleted."""
        cursor = self.customers.find({"deleted": False}, {"contacts": 0})
        return [from_document(doc) async for doc in cursor]

    async def _claim(self, customer: Customer) -> None:
        try:
            await self.revisions.insert_one(
                {
                    "_id": revision_id(customer.id, customer.version),
                    "customer_id": customer.id,
                    "version": customer.version,
                    "state": to_document(customer),
                    "events": [event_to_document(e) for e in customer.pending_events],
                    "activity": activity_to_document(customer.id, customer.pending_activity)
                    if customer.pending_activity
                    else None,
                    "published": False,
                    "created_at": self._clock.now(),
                    # The request's trace, for the relay to continue when it publishes.
                    "trace": current_carrier(),
                }
            )
        except DuplicateKeyError as exc:
            raise StaleVersion(f"{customer.id} version {customer.version} was written") from exc

    async def _release(self, customer: Customer) -> None:
        await self.revisions.delete_one(
            {"_id": revision_id(customer.id, customer.version), "published": False}
        )

    async def pending_revisions(self) -> list[Document]:
        """Revisions whose events are not yet published, oldest version first per customer."""
        cursor = self.revisions.find({"published": False}).sort(
            [("customer_id", ASCENDING), ("version", ASCENDING)]
        )
        return [doc async for doc in cursor]

    async def current_version(self, customer_id: str) -> int:
        """The stored version of the customer document, 0 when there is none."""
        doc = await self.customers.find_one({"_id": customer_id}, {"version": 1})
        return int(doc["version"]) if doc else 0

    async def roll_forward(self, revision: Document) -> bool:
        """Apply a revision whose writer died; False (and the revision dropped) if it cannot be."""
        customer_id, version = revision["customer_id"], revision["version"]
        if await self.current_version(customer_id) != version - 1:
            return False
        try:
            await self.customers.replace_one({"_id": customer_id}, revision["state"], upsert=True)
        except DuplicateKeyError:
            await self.revisions.delete_one({"_id": revision["_id"], "published": False})
            return False
        return True

    async def mark_published(self, revision: Document) -> None:
        """The revision's events are out: forget it. So the revisions stored are only the
        pending ones, and the relay's scan (FerretDB indexes only `_id`) costs the backlog,
        not the fleet. A writer still holding the version before it fails the check in
        `save` instead of on the claim. Its audit trail entry is written first (again, if
        its writer lived to write it)."""
        if revision.get("activity"):
            await self._write_activity(revision["_id"], revision["activity"])
        await self.revisions.delete_one({"_id": revision["_id"]})

    def revision_age(self, revision: Document) -> dt.timedelta:
        """How long ago the revision was claimed."""
        created: dt.datetime = revision["created_at"]
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
        return self._clock.now() - created
