"""SLA states and figures in MongoDB or FerretDB.

Every read and write names one document by `_id` alone: FerretDB's SQLite backend answers
no other filter from an index. One writer per customer is given by Kafka's partitioning by
customer id and the co-partitioned assignment (`msc_platform.copartition`), so writes are
plain replacements; the order of `save` is what makes a crash
harmless (see `domain/ingest.py`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from msc_platform.mongo import check_stored_format, delete_by_id, replace_by_id, set_by_id
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
    job_from_document,
    job_to_document,
)
from sla_svc.adapters.written import WrittenCustomers
from sla_svc.domain.alerts import AlertState
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.job_history import SetHistory
from sla_svc.domain.jobs import JobState
from sla_svc.ports import CustomerChanges, Head

log = logging.getLogger(__name__)
Document = dict[str, Any]
STORED_FORMAT = 6
"""Version of the documents' shape: 2 since states are packed into one `state` field, 3
since counted documents remember offsets per partition (`backup.jobs#3`), not per topic,
4 since alerts keep their type, message and acknowledgement, a customer's figures the
index of its open alerts, sets their latest jobs and failures, and sets their job history,
5 since a customer's figures keep each set's key in `state` and the sets' rows apart in
`sets`, compressed (`documents.customer_to_document`), 6 since they keep the open-alert
index apart too, in `open_alert_index`."""


class MongoSlaStore:
    """The `SlaStore` port on MongoDB or FerretDB."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.customers: AsyncCollection[Document] = db["sla_customers"]
        self.details_: AsyncCollection[Document] = db["sla_hour_details"]
        self.jobs_: AsyncCollection[Document] = db["sla_jobs"]
        self.alerts_: AsyncCollection[Document] = db["sla_alerts"]
        self.histories_: AsyncCollection[Document] = db["sla_set_histories"]
        self.heads: AsyncCollection[Document] = db["sla_heads"]
        self._purges: set[asyncio.Task[None]] = set()
        self._written = WrittenCustomers()

    async def check_format(self) -> None:
        """Refuse a database of SLA documents of another shape (see `check_stored_format`)."""
        await check_stored_format(self.customers.database, STORED_FORMAT, self.customers)

    async def heads_of(self, customer_ids: Iterable[str]) -> dict[str, Head]:
        """The head of each customer."""
        ids = list(dict.fromkeys(customer_ids))
        heads = await asyncio.gather(*(self.head(cid) for cid in ids))
        return dict(zip(ids, heads, strict=True))

    async def head(self, customer_id: str) -> Head:
        """The customer's head: the deletion mark and the token its last save wrote, one
        document that a save only ever `$set`s its revision in, so never undeletes."""
        doc = await self.heads.find_one({"_id": customer_id}) or {}
        return Head(bool(doc.get("deleted")), doc.get("revision"))

    async def customer(self, customer_id: str, revision: str | None = None) -> CustomerSla:
        """The customer's figures (as this store wrote them, if that is `revision`)."""
        written = self._written.at(customer_id, revision)
        doc = written.customer if written else await self.customers.find_one({"_id": customer_id})
        return customer_from_document(customer_id, doc)

    async def jobs(self, customer_id: str, job_ids: Iterable[str]) -> dict[str, JobState]:
        """Stored job states."""
        docs = await self._many(self.jobs_, [entity_id(customer_id, j) for j in job_ids])
        return {job.job_id: job for job in map(job_from_document, docs)}

    async def alerts(self, customer_id: str, alert_ids: Iterable[str]) -> dict[str, AlertState]:
        """Stored alert states."""
        docs = await self._many(self.alerts_, [entity_id(customer_id, a) for a in alert_ids])
        return {alert.alert_id: alert for alert in map(alert_from_document, docs)}

    async def histories(
        self, customer_id: str, backup_set_ids: Iterable[str], revision: str | None = None
    ) -> dict[str, SetHistory]:
        """Stored job histories of these sets (those this store wrote or read at `revision`
        from memory)."""
        written = self._written.at(customer_id, revision)
        known = written.histories if written else {}
        wanted = list(dict.fromkeys(backup_set_ids))
        missing = [s for s in wanted if s not in known]
        docs = await self._many(self.histories_, [entity_id(customer_id, s) for s in missing])
        read = {h.backup_set_id: h for h in map(history_from_document, docs)}
        if written:
            written.remember({s: read.get(s) for s in missing})
        found = {s: known.get(s) or read.get(s) for s in wanted}
        return {s: h for s, h in found.items() if h is not None}

    async def details(self, customer_id: str, hours: Iterable[str]) -> dict[str, HourDetail]:
        """Stored hour details."""
        docs = await self._many(self.details_, [detail_id(customer_id, h) for h in hours])
        return {detail.hour: detail for detail in map(detail_from_document, docs)}

    async def save(self, changes: Sequence[CustomerChanges]) -> dict[str, str]:
        """Counted documents first, then heads' revisions, then entity states, then expired
        details; the new revision of each customer.

        One write command at a time (see `msc_platform.mongo.OPS_PER_COMMAND`). What was
        written is remembered (`WrittenCustomers`) once all of it is.
        """
        bases = {
            c.customer.customer_id: self._written.take(c.customer.customer_id, c.base_revision)
            for c in changes
        }
        customer_docs = {c.customer.customer_id: customer_to_document(c.customer) for c in changes}
        await replace_by_id(
            self.details_, [detail_to_document(d) for c in changes for d in c.details]
        )
        await replace_by_id(self.customers, list(customer_docs.values()))
        revisions = {c.customer.customer_id: uuid.uuid4().hex for c in changes}
        await set_by_id(self.heads, [(cid, {"revision": r}) for cid, r in revisions.items()])
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
        for c in changes:
            cid = c.customer.customer_id
            histories = {h.backup_set_id: h for h in c.histories}
            self._written.keep(cid, revisions[cid], customer_docs[cid], bases[cid], histories)
        return revisions

    async def forget(self, customer_id: str) -> None:
        """Tombstone the customer, drop its figures now and its states in the background."""
        self._written.take(customer_id, None)
        await set_by_id(
            self.heads, [(customer_id, {"deleted": True, "deleted_at": dt.datetime.now(dt.UTC)})]
        )
        await self.customers.delete_one({"_id": customer_id})
        task = asyncio.create_task(self._purge(customer_id))
        self._purges.add(task)
        task.add_done_callback(self._purges.discard)

    async def _purge(self, customer_id: str) -> None:
        # Scans: rare, and off the consumer's path. What a crash leaves is unreachable.
        for collection in (self.details_, self.jobs_, self.alerts_, self.histories_):
            try:
                await collection.delete_many({"customer_id": customer_id})
            except Exception:
                log.exception(
                    "purging %s of deleted customer %s failed", collection.name, customer_id
                )

    @staticmethod
    async def _many(collection: AsyncCollection[Document], ids: list[str]) -> list[Document]:
        found = await asyncio.gather(*(collection.find_one({"_id": i}) for i in ids))
        return [doc for doc in found if doc is not None]
