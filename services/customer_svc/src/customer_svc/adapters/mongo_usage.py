"""Daily usage in MongoDB: one document per customer holding its recent days.

Rule 4 (a day is replaced by a newer report, never added to) is
`domain.consumption.latest_reports`; each day keeps the order of the report it holds
(`report_order`), to compare the next report with. One writer per customer is given by
Kafka's partitioning by customer id and the co-partitioned assignment
(`msc_platform.copartition`); reads and writes go by `_id` alone, the only filter FerretDB
answers from an index. The days are packed into one JSON field (`msc_platform.mongo.packed`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from customer_svc.domain.consumption import WINDOW_DAYS, DailyUsage, UsageReport, latest_reports
from msc_platform.mongo import delete_by_id, packed, replace_by_id, unpacked
from msc_platform.stored_format import upgrade_stored_format

Document = dict[str, Any]
KEEP_DAYS = WINDOW_DAYS + 7
"""Days kept per customer: the window plus a week of reports that arrive late."""
STORED_FORMAT = 2
"""Version of the documents' shape: a customer's days packed into one field."""


def report_order(reported_at: dt.datetime, event_id: str) -> str:
    """A string that sorts like (time, id): the later report, or on a tie the larger id, wins."""
    return f"{reported_at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{event_id}"


class MongoUsageRepository:
    """The `UsageRepository` port on MongoDB or FerretDB."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.usage: AsyncCollection[Document] = db["usage"]

    async def check_format(self) -> None:
        """Refuse a database of usage documents of another shape (`upgrade_stored_format`)."""
        await upgrade_stored_format(self.usage.database, STORED_FORMAT, self.usage)

    async def record(self, reports: Sequence[UsageReport], today: dt.date) -> int:
        """Merge the reports, one write per customer; return how many changed a day."""
        by_customer: dict[str, list[UsageReport]] = {}
        for report in reports:
            by_customer.setdefault(report.customer_id, []).append(report)
        stored = {cid: await self.usage.find_one({"_id": cid}) for cid in by_customer}
        oldest = today - dt.timedelta(days=KEEP_DAYS)
        kept = 0
        writes: list[Document] = []
        for cid, customer_reports in by_customer.items():
            days: dict[str, Document] = _days(stored[cid])
            recent = [r for r in customer_reports if r.usage.date >= oldest]
            held = {
                r.usage.date: _held(cid, r.usage.date, days[day])
                for r in recent
                if (day := r.usage.date.isoformat()) in days
            }
            changed, took_effect = latest_reports(held, recent)
            for date, r in changed.items():
                days[date.isoformat()] = {
                    "credits_consumed": r.usage.credits_consumed,
                    "storage_bytes": r.usage.storage_bytes,
                    "order": report_order(r.reported_at, r.event_id),
                }
            kept += took_effect
            if changed:
                days = {d: v for d, v in days.items() if d >= oldest.isoformat()}
                writes.append({"_id": cid, "days": packed(days)})
        await replace_by_id(self.usage, writes)
        return kept

    async def days(self, customer_id: str, since: dt.date) -> list[DailyUsage]:
        """The customer's days from `since` on."""
        return _from(await self.usage.find_one({"_id": customer_id}), since)

    async def every_customer(self, since: dt.date) -> AsyncIterator[tuple[str, list[DailyUsage]]]:
        """Each customer's days from `since` on, customer by customer (a scan of the usage)."""
        async for doc in self.usage.find({}):
            yield doc["_id"], _from(doc, since)

    async def purge(self, customer_id: str) -> None:
        """Forget the customer's usage."""
        await self.usage.delete_one({"_id": customer_id})

    async def purge_many(self, customer_ids: Sequence[str]) -> None:
        """Forget the usage of all these customers."""
        await delete_by_id(self.usage, customer_ids)


def _held(customer_id: str, date: dt.date, day: Document) -> UsageReport:
    """The report a stored day holds, read back from its `report_order`."""
    reported_at, _, event_id = day["order"].partition("|")
    return UsageReport(
        customer_id,
        DailyUsage(date, float(day["credits_consumed"]), int(day["storage_bytes"])),
        dt.datetime.fromisoformat(reported_at).replace(tzinfo=dt.UTC),
        event_id,
    )


def _days(doc: Document | None) -> dict[str, Document]:
    return unpacked(doc["days"]) if doc else {}


def _from(doc: Document | None, since: dt.date) -> list[DailyUsage]:
    first = since.isoformat()
    return [
        DailyUsage(
            dt.date.fromisoformat(day), float(v["credits_consumed"]), int(v["storage_bytes"])
        )
        for day, v in sorted(_days(doc).items())
        if day >= first
    ]
