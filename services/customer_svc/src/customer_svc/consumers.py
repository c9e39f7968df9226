"""The usage consumer: `com.msc.usage.daily.v1` events into daily usage (rules 4 and 6).

A report of a customer never created is dropped, counted in
`msc_usage_unknown_customer_reports` and logged (README, "Usage of unknown customers"
says why it is not dead-lettered): it is neither stored nor held, so ids nobody created
cannot fill the database or any instance's memory. A deleted customer's reports are
dropped too (rule 6), counted as changing nothing."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter

from customer_svc.domain.consumption import DailyUsage, UsageReport
from customer_svc.service import CustomerService
from msc_contracts.events import UsageReported
from msc_platform.event_consumer import Applied, EventHandler, Received

log = logging.getLogger(__name__)


def usage_handler(service: CustomerService, registry: CollectorRegistry) -> EventHandler:
    """A batch handler that merges usage reports; repeats and older reports change nothing."""
    unknown = Counter(
        "msc_usage_unknown_customer_reports",
        "Usage reports dropped because no customer with their id was ever created.",
        registry=registry,
    )

    async def handle(batch: Sequence[Received]) -> Applied:
        reports = []
        for received in batch:
            event = received.event
            data: UsageReported = event.data
            usage = DailyUsage(data.date, data.credits_consumed, data.storage_bytes)
            reports.append(UsageReport(event.customerid, usage, event.time, event.id))
        recorded = await service.record_usage(reports)
        dropped = [r for r in batch if r.event.customerid in recorded.unknown_customers]
        if dropped:
            unknown.inc(len(dropped))
            # One line a batch, whatever the flood: enough to find the agent that sends them.
            log.warning(
                "dropped %d usage reports of %d customers never created (%s from %s, ...)",
                len(dropped),
                len(recorded.unknown_customers),
                dropped[0].event.customerid,
                dropped[0].event.source[:200],
            )
        return Applied(
            applied=recorded.applied, duplicates=len(batch) - recorded.applied - len(dropped)
        )

    return handle
