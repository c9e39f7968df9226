"""SLA states and figures in MongoDB or FerretDB: the `store.Storage` of sla_svc.

Every read and write names one document by `_id` alone: FerretDB's SQLite backend answers
no other filter from an index. One writer per customer is given by Kafka's partitioning by
customer id and the co-partitioned assignment (`msc_platform.copartition`), so writes are
plain replacements. A customer's figures are written first and carry what the rest of its
save writes (`domain.batch.Unfinished`), so a crash half-way is finished by the next batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from msc_platform.fencing import owned_while
from msc_platform.mongo import delete_by_id, replace_by_id, set_by_id
from msc_platform.stored_format import (
    Migration,
    MigrationMetrics,
    Progress,
    check_stored_format,
    upgrade_stored_format,
)
from sla_svc.adapters.documents import (
    alert_from_document,
    alert_to_document,
    customer_from_document,
    customer_to_document,
    detail_from_document,
    detail_id,
    detail_to_document,
    entity_id,
    history_from_document,
    history_to_document,
    is_format_6,
    job_from_document,
    job_to_document,
    unfinished_from_document,
)
from sla_svc.adapters.store import Saved
from sla_svc.domain.alerts import AlertState
from sla_svc.domain.batch import CustomerChanges, Unfinished
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.job_history import SetHistory
from sla_svc.domain.jobs import JobState
from sla_svc.domain.latest import LatestFinder
from sla_svc.ports import Head

log = logging.getLogger(__name__)
Document = dict[str, Any]
STORED_FORMAT = 7
"""Version of the documents' shape; README "Upgrades" says what each version changed and
what this release migrates (`upgrade`)."""


PURGE_RETRY_FIRST_S = 1.0
PURGE_RETRY_MAX_S = 60.0
"""A deleted customer's purge is retried after 1 s, doubling up to a minute, until done."""


class MongoSlaStore:
    """SLA documents on MongoDB or FerretDB."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers: AsyncCollection[Document] = db["sla_customers"]
        self.details_: AsyncCollection[Document] = db["sla_hour_details"]
        self.jobs_: AsyncCollection[Document] = db["sla_jobs"]
        self.alerts_: AsyncCollection[Document] = db["sla_alerts"]
        self.histories_: AsyncCollection[Document] = db["sla_set_histories"]
        self.heads: AsyncCollection[Document] = db["sla_heads"]
        self._purges: set[asyncio.Task[None]] = set()

    @property
    def _migrations(self) -> list[Migration]:
        to_7 = Migration(
            6,
            "each backup set's last backup, restore, failure and success found again among "
            "all its job states; offsets dropped",
            self._to_format_7,
        )
        return [to_7]

    async def needs_upgrade(self) -> bool:
        """True for a database of an earlier format this release migrates; a database it
        cannot migrate is refused (`check_stored_format`)."""
        db = self.customers.database
        return await check_stored_format(db, STORED_FORMAT, self.customers, self._migrations)

    async def upgrade(self, metrics: MigrationMetrics | None = None) -> None:
        """Bring a database of an earlier format to this one (`upgrade_stored_format`)."""
        db = self.customers.database
        await upgrade_stored_format(db, STORED_FORMAT, self.customers, self._migrations, metrics)

    async def _to_format_7(self, progress: Progress) -> None:
        """One pass over every job state in `_id` order (a customer's are one run of it),
        then over customers with no jobs; a customer already migrated is left as it is."""
        total = await self.customers.count_documents({})
        done = 0
        current: str | None = None
        finder = LatestFinder()
        async for doc in self.jobs_.find({}).sort("_id"):
            if doc["customer_id"] != current:
                if current is not None:
                    done += await self._migrate_to_7(current, finder)
                    progress(done, total)
                current, finder = doc["customer_id"], LatestFinder()
            finder.add(job_from_document(doc), by_set=True)
        if current is not None:
            done += await self._migrate_to_7(current, finder)
        for customer_id in [doc["_id"] async for doc in self.customers.find({}, {"_id": 1})]:
            done += await self._migrate_to_7(customer_id, LatestFinder())
        progress(total, total)

    async def _migrate_to_7(self, customer_id: str, jobs: LatestFinder) -> int:
        doc = await self.customers.find_one({"_id": customer_id})
        if doc is None or not is_format_6(doc):
            return 0
        customer = _from_format_6(customer_id, doc, jobs)
        revision = uuid.uuid4().hex
        await set_by_id(self.heads, [(customer_id, {"revision": revision})])
        await replace_by_id(self.customers, [customer_to_document(customer, revision)])
        await set_by_id(self.heads, [(customer_id, {"finished": revision})])
        return 1

    async def heads_of(self, customer_ids: Iterable[str]) -> dict[str, Head]:
        """The head of each customer."""
        ids = list(dict.fromkeys(customer_ids))
        heads = await asyncio.gather(*(self.head(cid) for cid in ids))
        return dict(zip(ids, heads, strict=True))

    async def head(self, customer_id: str) -> Head:
        """The customer's head: the deletion mark and the token its last save wrote, one
        document that a save only ever `$set`s its revision in, so never undeletes."""
        doc = await self.heads.find_one({"_id": customer_id}) or {}
        return Head(bool(doc.get("deleted")), doc.get("revision"), doc.get("finished"))

    async def customer(self, customer_id: str) -> CustomerSla:
        """The customer's figures as stored."""
        doc = await self.customers.find_one({"_id": customer_id}, {"unfinished": 0})
        return customer_from_document(customer_id, doc)

    async def for_update(self, customer_id: str, head: Head) -> tuple[CustomerSla, Unfinished]:
        """The customer's figures, and what the save that wrote them did not finish writing."""
        doc = await self.customers.find_one({"_id": customer_id})
        if doc is not None and is_format_6(doc):  # not migrated yet (see `upgrade`)
            finder = LatestFinder()
            for job in await self.customer_jobs(customer_id):
                finder.add(job, by_set=True)
            return _from_format_6(customer_id, doc, finder), Unfinished()
        customer = customer_from_document(customer_id, doc)
        if doc is None or doc.get("revision") == head.finished:
            return customer, Unfinished()
        return customer, unfinished_from_document(customer_id, doc)

    async def customer_jobs(self, customer_id: str) -> list[JobState]:
        """Every stored job state of the customer: one range of `_id`s (`entity_id`; a
        customer id holds no `|`)."""
        found = self.jobs_.find({"_id": {"$gte": f"{customer_id}|", "$lt": f"{customer_id}}}"}})
        return [job_from_document(doc) async for doc in found]

    async def jobs(self, customer_id: str, job_ids: Iterable[str]) -> dict[str, JobState]:
        """Stored job states."""
        docs = await self._many(self.jobs_, [entity_id(customer_id, j) for j in job_ids])
        return {job.job_id: job for job in map(job_from_document, docs)}

    async def alerts(self, customer_id: str, alert_ids: Iterable[str]) -> dict[str, AlertState]:
        """Stored alert states."""
        docs = await self._many(self.alerts_, [entity_id(customer_id, a) for a in alert_ids])
        return {alert.alert_id: alert for alert in map(alert_from_document, docs)}

    async def histories(
        self, customer_id: str, backup_set_ids: Iterable[str]
    ) -> dict[str, SetHistory]:
        """Stored job histories of these sets."""
        docs = await self._many(
            self.histories_, [entity_id(customer_id, s) for s in backup_set_ids]
        )
        return {h.backup_set_id: h for h in map(history_from_document, docs)}

    async def details(self, customer_id: str, hours: Iterable[str]) -> dict[str, HourDetail]:
        """Stored hour details."""
        docs = await self._many(self.details_, [detail_id(customer_id, h) for h in hours])
        return {detail.hour: detail for detail in map(detail_from_document, docs)}

    async def save(self, changes: Sequence[CustomerChanges]) -> dict[str, Saved]:
        """Each head's revision begun, then the figures, each with the rest of its
        customer's save, hour details, job and alert states, histories, expired details
        deleted, and each head's revision finished; each customer's revision and figures
        as stored.

        One write command at a time (see `msc_platform.mongo.OPS_PER_COMMAND`).
        """
        revisions = {c.customer.customer_id: uuid.uuid4().hex for c in changes}
        # Begun: from now on no instance trusts its memory of these customers.
        await set_by_id(self.heads, [(cid, {"revision": r}) for cid, r in revisions.items()])
        customer_docs = {
            c.customer.customer_id: customer_to_document(
                c.customer, revisions[c.customer.customer_id], _rest_of(c)
            )
            for c in changes
        }
        await replace_by_id(self.customers, list(customer_docs.values()))
        await replace_by_id(
            self.details_, [detail_to_document(d) for c in changes for d in c.details]
        )
        await replace_by_id(
            self.jobs_,
            [job_to_document(c.customer.customer_id, j) for c in changes for j in c.jobs],
        )
        await replace_by_id(
            self.alerts_,
            [alert_to_document(c.customer.customer_id, a) for c in changes for a in c.alerts],
        )
        await replace_by_id(
            self.histories_,
            [history_to_document(c.customer.customer_id, h) for c in changes for h in c.histories],
        )
        await delete_by_id(
            self.details_,
            [detail_id(c.customer.customer_id, h) for c in changes for h in c.expired_details],
        )
        await set_by_id(self.heads, [(cid, {"finished": r}) for cid, r in revisions.items()])
        return {
            cid: Saved(revision, customer_from_document(cid, customer_docs[cid]))
            for cid, revision in revisions.items()
        }

    async def forget(self, customer_id: str) -> None:
        """Tombstone the customer, drop its figures now and its states in the background."""
        await set_by_id(
            self.heads,
            [(customer_id, {"deleted": True, "deleted_at": dt.datetime.now(dt.UTC)})],
        )
        await self.customers.delete_one({"_id": customer_id})
        self._purge_later(customer_id)

    async def resume_purges(self) -> int:
        """Purge again every deleted customer whose purge did not finish (a crash, a
        database gone for longer than the retries); how many. A scan of the heads, once at
        start."""
        unfinished = self.heads.find({"deleted": True, "purged": {"$ne": True}}, {"_id": 1})
        ids = [doc["_id"] async for doc in unfinished]
        for customer_id in ids:
            self._purge_later(customer_id)
        return len(ids)

    def _purge_later(self, customer_id: str) -> None:
        task = asyncio.create_task(self._purge(customer_id))
        self._purges.add(task)
        task.add_done_callback(self._purges.discard)

    async def _purge(self, customer_id: str) -> None:
        """Delete everything kept of the customer, retrying until done, then mark its
        tombstone purged. Its documents are one range of `_id`s in each collection
        (`entity_id`, `detail_id`: a customer id holds no `|`)."""
        mine = {"_id": {"$gte": f"{customer_id}|", "$lt": f"{customer_id}}}"}}
        owned_while(lambda: True)  # begun in a batch, it outlives the batch's partitions
        delay = PURGE_RETRY_FIRST_S
        while True:
            try:
                for collection in (self.details_, self.jobs_, self.alerts_, self.histories_):
                    await collection.delete_many(mine)
                await set_by_id(self.heads, [(customer_id, {"purged": True})])
                return
            except Exception:
                log.exception(
                    "purging deleted customer %s failed; retrying in %.0f s", customer_id, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, PURGE_RETRY_MAX_S)

    async def close(self) -> None:
        """Stop the purges running (`resume_purges` takes them up at the next start)."""
        for task in list(self._purges):
            task.cancel()
        await asyncio.gather(*self._purges, return_exceptions=True)

    @staticmethod
    async def _many(collection: AsyncCollection[Document], ids: list[str]) -> list[Document]:
        found = await asyncio.gather(*(collection.find_one({"_id": i}) for i in ids))
        return [doc for doc in found if doc is not None]


def _from_format_6(customer_id: str, doc: Document, jobs: LatestFinder) -> CustomerSla:
    """Figures written by format 6, each set's latest jobs as `jobs` (all the customer's
    job states, added by set) find them."""
    customer = customer_from_document(customer_id, doc)
    for set_id in list(customer.sets):
        latest, count = jobs.latest_jobs(set_id), jobs.jobs_per_set.get(set_id, 0)
        customer.sets[set_id] = replace(customer.sets[set_id], jobs=count, latest=latest)
    return customer


def _rest_of(changes: CustomerChanges) -> Unfinished:
    """What a save writes after the figures, kept with them until it is written."""
    return Unfinished(
        jobs={j.job_id: j for j in changes.jobs},
        alerts={a.alert_id: a for a in changes.alerts},
        details={d.hour: d for d in changes.details},
        expired_details=list(changes.expired_details),
    )
