"""The usage consumer: `com.msc.usage.daily.v1` events into daily usage (rules 4 and 6)."""

from __future__ import annotations

from collections.abc import Sequence

from customer_svc.domain.consumption import DailyUsage, UsageReport
from customer_svc.service import CustomerService
from msc_contracts.events import UsageReported
from msc_platform.event_consumer import Applied, EventHandler, Received


def usage_handler(service: CustomerService) -> EventHandler:
    """A batch handler that merges usage reports; repeats and older reports change nothing."""

    async def handle(batch: Sequence[Received]) -> Applied:
        reports = []
        for received in batch:
            event = received.event
            data: UsageReported = event.data
            usage = DailyUsage(data.date, data.credits_consumed, data.storage_bytes)
            reports.append(UsageReport(event.customerid, usage, event.time, event.id))
        applied = await service.record_usage(reports)
        return Applied(applied=applied, duplicates=len(batch) - applied)

    return handle
