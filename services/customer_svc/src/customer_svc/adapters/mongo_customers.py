"""Customers in MongoDB, written safely on servers whose updates are not atomic (FerretDB).

Only single-key `{"_id": ...}` filters are used on hot paths: FerretDB's SQLite backend
pushes nothing else down to an index. A write of version N first inserts the revision
document `<id>:N`; its `_id` makes the claim unique, atomically, on every server. The
revision holds the full new state, the lifecycle events it announces and the change's
audit trail entry, so no event can be lost: it is stored before the change is visible,
and the relay (`outbox_relay.py`) publishes it and then deletes the revision.

Published revisions are deleted, so a writer holding a stale ETag can claim `<id>:N`
again after the winner's revision is gone. Nothing it claims can be published, because
a revision is published only if it is the change that was stored (`fate`):

- each revision carries a `revision` id of its own, never reused, which the customer
  document it produces records too;
- the writer claims uncommitted, checks the stored version, marks its claim `committed`
  (by `_id` and revision id) and only then replaces the customer. A stale writer fails
  the check, so it never commits, and an uncommitted claim of a version already stored is
  a refused one: the relay drops it, whether its writer is still running, died, or could
  not delete it;
- a committed revision is published when the customer shows its version: the one that
  shows version N names its revision id, and one that moved past N was based on it.

When the reply of a write is lost (the connection dropped, the request cancelled) the
writer cannot know whether it applied, so it keeps the revision: the relay publishes it
if the customer shows it, or after a grace period rolls it forward (the same state
again). A refused write (a duplicate name, a server error) releases its claim. The
writer records the entry in `customer_activity` (`_id` `<id>:N` too) once the change is
visible, and the relay again before deleting the revision, so it is always the winner's.

Revisions of release 1 (no revision id, `published: False`) are still read, and relayed
by the rule of `_fate_of_release_1`; revisions of this shape omit `published`, so a
release-1 relay still running in a rolling upgrade leaves them to the new ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Collection
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError, WriteConcernError

from customer_svc.adapters.documents import (
    activity_from_document,
    activity_to_document,
    event_to_document,
    from_document,
    to_document,
)
from customer_svc.domain.activity import Activity, erased
from customer_svc.domain.errors import DuplicateAccountName, OutcomeUnknown, StaleVersion
from customer_svc.domain.model import Customer
from customer_svc.ports import Fate
from msc_platform.clock import Clock
from msc_platform.mongo import OPS_PER_COMMAND, is_duplicate_key, replace_by_id
from msc_platform.tracing import current_carrier

Document = dict[str, Any]
log = logging.getLogger(__name__)
LOOKUPS_AT_ONCE = 50
"""Reads by `_id` sent together (PyMongo's pool holds 100 connections)."""


def revision_id(customer_id: str, version: int) -> str:
    """The `_id` of a customer's revision and of its audit trail entry: one per version."""
    return f"{customer_id}:{version}"


def refused(exc: BaseException) -> bool:
    """True when the server answered that it did not apply the operation; False when the
    outcome is unknown (no reply: a dropped connection, a timeout, a cancelled request;
    or a write concern that timed out after the write was applied)."""
    return (
        isinstance(exc, OperationFailure)
        and not exc.timeout
        and not isinstance(exc, WriteConcernError)
    )


class MongoCustomerRepository:
    """The `CustomerRepository` and `Outbox` ports on MongoDB or FerretDB."""

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
            [("customer_id", ASCENDING), ("version", ASCENDING)], name="by_customer"
        )

    async def add(self, customer: Customer) -> None:
        """Store a new customer."""
        revision = await self._claim(customer, committed=True)  # a new id: nothing to check
        await self._apply(revision, self.customers.insert_one(revision["state"]))
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
        by scanning the collection (README, "FerretDB": "Only `_id` filters").
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
        revision = await self._claim(customer, committed=False)
        try:
            # The claim won only if nobody holds this version now; one stored long ago
            # (its revision published and deleted) is caught by reading the version.
            if await self.current_version(customer.id) != customer.version - 1:
                raise StaleVersion(f"{customer.id} is past version {customer.version - 1}")
        except BaseException:
            await self._release(revision)
            raise
        await self._commit(revision)
        # By its version too: a replacement that lands after the relay rolled it forward
        # and a successor was stored must not take the customer back (it matches nothing).
        previous = {"_id": customer.id, "version": customer.version - 1}
        replaced = self.customers.replace_one(previous, revision["state"])
        if (await self._apply(revision, replaced)).matched_count == 0:
            await self._replaced_by_another(revision)
        await self._record(customer.id, customer.pending_activity)

    async def _replaced_by_another(self, revision: Document) -> None:
        """The replacement matched nothing: the customer moved past the version before it.
        Stored all the same when the relay rolled it forward; else it was given up."""
        if await self.fate(revision) is not Fate.STORED:
            raise StaleVersion(f"{revision['_id']} was given up while it was written")

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

    async def _claim(self, customer: Customer, *, committed: bool) -> Document:
        """Insert the revision of `customer`; `StaleVersion` when its version is claimed."""
        change = uuid.uuid4().hex
        revision = {
            "_id": revision_id(customer.id, customer.version),
            "customer_id": customer.id,
            "version": customer.version,
            "revision": change,
            "committed": committed,
            "state": {**to_document(customer), "revision": change},
            "events": [event_to_document(e) for e in customer.pending_events],
            "activity": activity_to_document(customer.id, customer.pending_activity)
            if customer.pending_activity
            else None,
            "created_at": self._clock.now(),
            # The request's trace, for the relay to continue when it publishes.
            "trace": current_carrier(),
        }
        try:
            await self.revisions.insert_one(revision)
        except DuplicateKeyError as exc:
            raise StaleVersion(f"{customer.id} version {customer.version} was written") from exc
        except BaseException:
            await self._release(revision)  # if it was inserted after all: it is not visible
            raise
        return revision

    async def _commit(self, revision: Document) -> None:
        """Mark the claim as the change about to be stored. Its revision id in the filter
        keeps a claim the relay dropped (its writer judged dead) from being revived."""
        try:
            marked = await self.revisions.update_one(
                self._own(revision), {"$set": {"committed": True}}
            )
        except BaseException as exc:
            if refused(exc):
                await self._release(revision)
                raise
            if isinstance(exc, Exception):  # it may be committed: the relay decides
                raise OutcomeUnknown(revision["_id"]) from exc
            raise
        if marked.matched_count == 0:
            raise StaleVersion(f"{revision['_id']} was given up while it was written")
        revision["committed"] = True

    async def _apply(self, revision: Document, write: Awaitable[Any]) -> Any:
        """Make the committed revision visible. Refused: its claim is released. Without an
        answer: kept, for the relay to publish when the customer shows it or to roll forward."""
        try:
            return await write
        except BaseException as exc:
            if not refused(exc):
                log.warning("no answer to the write of %s; left to the relay", revision["_id"])
                if isinstance(exc, Exception):
                    raise OutcomeUnknown(revision["_id"]) from exc
                raise
            if not await self._release(revision):
                # Still claimed and committed: were the name freed, the relay would store
                # it after all, so the caller must not be told it was refused.
                raise OutcomeUnknown(revision["_id"]) from exc
            if is_duplicate_key(exc):
                raise DuplicateAccountName(revision["state"]["account"]["name"]) from exc
            raise

    async def _release(self, revision: Document) -> bool:
        """Delete the claim of a change that is not visible; False when that fails too
        (the relay then drops it if uncommitted, or rolls it forward if it can be stored)."""
        try:
            await self.revisions.delete_one(self._own(revision))
        except PyMongoError:
            log.warning("claim %s not released; left to the relay", revision["_id"])
            return False
        return True

    @staticmethod
    def _own(revision: Document) -> Document:
        """The filter that finds this revision and no later claim of the same version. Atomic
        and by the `_id` index on MongoDB; FerretDB, which pushes down a lone `_id` only,
        scans the pending revisions for it (the backlog, not the fleet), as it applies it
        by reading then writing anyway."""
        if "revision" in revision:
            return {"_id": revision["_id"], "revision": revision["revision"]}
        return {"_id": revision["_id"], "revision": {"$exists": False}}

    async def pending_revisions(self) -> list[Document]:
        """Revisions whose events are not yet published, oldest version first per customer."""
        cursor = self.revisions.find({}).sort([("customer_id", ASCENDING), ("version", ASCENDING)])
        return [doc async for doc in cursor]

    async def current_version(self, customer_id: str) -> int:
        """The stored version of the customer document, 0 when there is none."""
        doc = await self.customers.find_one({"_id": customer_id}, {"version": 1})
        return int(doc["version"]) if doc else 0

    async def fate(self, revision: Document) -> Fate:
        """Whether the revision's change is the one stored (`Fate`)."""
        customer_id, version = revision["customer_id"], revision["version"]
        if "revision" not in revision:
            return await self._fate_of_release_1(revision)
        doc = await self.customers.find_one({"_id": customer_id}, {"version": 1, "revision": 1})
        stored = int(doc["version"]) if doc else 0
        if stored < version:
            return Fate.UNDECIDED
        if stored == version:  # its writer committed before it replaced the customer
            same = doc is not None and doc.get("revision") == revision["revision"]
            return Fate.STORED if same else Fate.REFUSED
        # Moved on: a committed claim is the only one of its version ever committed, its
        # writer having seen the version before it while it held the claim.
        return Fate.STORED if await self._committed(revision) else Fate.REFUSED

    async def _committed(self, revision: Document) -> bool:
        """Whether the revision is committed now (the copy the relay read may be older)."""
        if revision.get("committed", True):
            return True
        doc = await self.revisions.find_one(
            {"_id": revision["_id"]}, {"revision": 1, "committed": 1}
        )
        return bool(doc and doc.get("revision") == revision["revision"] and doc["committed"])

    async def _fate_of_release_1(self, revision: Document) -> Fate:
        """Release 1 wrote no revision id: its claim of a stored version is the winner's if
        the customer is its state, or, once the customer moved on, if the version's entry
        is its entry (a winner's revision is deleted only after its entry is written, so a
        missing entry means the winner's revision is this one)."""
        customer_id, version = revision["customer_id"], revision["version"]
        doc = await self.customers.find_one({"_id": customer_id})
        stored = int(doc["version"]) if doc else 0
        if stored < version:
            return Fate.UNDECIDED
        if stored == version:
            same = doc is not None and all(doc.get(k) == v for k, v in revision["state"].items())
            return Fate.STORED if same else Fate.REFUSED
        mine = revision.get("activity")
        entry = await self.activities.find_one({"_id": revision["_id"]})
        if mine is None or entry is None:
            return Fate.STORED
        same = all(entry.get(k) == v for k, v in mine.items())
        return Fate.STORED if same else Fate.REFUSED

    async def roll_forward(self, revision: Document) -> bool:
        """Store an undecided revision whose writer is gone (it died, or lost the reply);
        False when it can never be stored: it was never committed, its name is taken, or
        the customer is not at the version before it."""
        if not await self._committed(revision):
            return False  # its writer never got past the version check
        customer_id, version = revision["customer_id"], revision["version"]
        if await self.current_version(customer_id) != version - 1:
            return await self.fate(revision) is Fate.STORED
        previous = {"_id": customer_id, "version": version - 1}  # none for a creation
        try:
            await self.customers.replace_one(previous, revision["state"], upsert=True)
        except OperationFailure as exc:
            if not is_duplicate_key(exc):
                raise
            # The name is taken, or the customer is no longer at the version before it
            # (its writer's own replacement landed meanwhile): the stored one decides.
            if await self.current_version(customer_id) != version - 1:
                return await self.fate(revision) is Fate.STORED
            return False
        return True

    async def discard(self, revision: Document) -> None:
        """Forget a refused revision: it is never published, its entry never recorded. One
        judged never committed is deleted only while it still is not (its writer may
        commit it meanwhile, and then it decides)."""
        log.info("dropping refused revision %s", revision["_id"])
        own = self._own(revision)
        if not revision.get("committed", True):
            own = own | {"committed": False}
        await self.revisions.delete_one(own)

    async def mark_published(self, revision: Document) -> None:
        """The revision's events are out: forget it. So the revisions stored are only the
        pending ones, and the relay's scan (FerretDB indexes only `_id`) costs the backlog,
        not the fleet. Its audit trail entry is written first (again, if its writer lived
        to write it); a deletion's erases the customer's trail first, so both are retried
        until done."""
        if revision.get("activity"):
            await self._write_activity(revision["_id"], revision["activity"])
        if revision["state"].get("deleted"):
            await self._erase_trail(revision["customer_id"], revision["version"])
        await self.revisions.delete_one(self._own(revision))

    async def _erase_trail(self, customer_id: str, version: int) -> None:
        """Keep only who, when and which fields in the entries of a deleted customer, by
        `_id`, `OPS_PER_COMMAND` at a time; then mark its tombstone so it is done once."""
        for first in range(1, version, OPS_PER_COMMAND):
            ids = [
                revision_id(customer_id, v)
                for v in range(first, min(first + OPS_PER_COMMAND, version))
            ]
            docs = await asyncio.gather(*(self.activities.find_one({"_id": i}) for i in ids))
            kept = [
                {
                    "_id": doc["_id"],
                    **activity_to_document(customer_id, erased(activity_from_document(doc))),
                }
                for doc in docs
                if doc is not None
            ]
            await replace_by_id(self.activities, kept)
        await self.customers.update_one({"_id": customer_id}, {"$set": {"trail_erased": True}})

    async def erase_deleted_trails(self) -> None:
        """Erase the trails of customers deleted before this release, once each (the whole
        customers collection is read, as at every start for the list)."""
        cursor = self.customers.find(
            {"deleted": True, "trail_erased": {"$ne": True}}, {"version": 1}
        )
        for doc in [doc async for doc in cursor]:
            await self._erase_trail(doc["_id"], int(doc["version"]))

    def revision_age(self, revision: Document) -> dt.timedelta:
        """How long ago the revision was claimed."""
        created: dt.datetime = revision["created_at"]
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
        return self._clock.now() - created
