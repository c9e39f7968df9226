"""Keeps this instance's `RecentUsage` current with the usage every instance records.

Loaded with every customer's stored days, then each record of `backup.usage` names a
customer whose usage may have changed (its key). A record is applied to the database by
whichever instance's usage consumer owns its partition, and that consumer commits the
record's offset only once it is stored; so the feed waits until the usage consumers'
group has committed past a batch before it reads the batch's customers again by `_id`.
It never reads a customer before its report is stored, and so never keeps a figure that
misses one (`msc_platform.topic_follower` says why the rest converges on the database).

How stale the Summary tab's consumption and the list's plan badges can be, on any
instance: the usage consumer's batch and commit, plus the wait's poll (`GroupProgress`): a
second or two while Kafka and the database answer; while the usage consumers are behind,
these are as far behind as they.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry, Gauge

from customer_svc.adapters.mongo_usage import MongoUsageRepository
from customer_svc.domain.consumption import window_start
from customer_svc.domain.recent_usage import RecentUsage
from msc_contracts.topics import BACKUP_USAGE
from msc_platform.clock import Clock
from msc_platform.group_progress import GroupProgress
from msc_platform.settings import InfrastructureSettings
from msc_platform.topic_follower import TopicFollower

log = logging.getLogger(__name__)


def usage_feed(
    held: RecentUsage,
    usage: MongoUsageRepository,
    settings: InfrastructureSettings,
    consumers: GroupProgress,
    clock: Clock,
    registry: CollectorRegistry,
) -> TopicFollower:
    """A follower of `backup.usage` filling and updating `held`; `consumers` is the
    progress of the usage consumers' group."""
    Gauge(
        "msc_recent_usage_customers",
        "Customers whose daily usage this instance holds in memory.",
        registry=registry,
    ).set_function(lambda: len(held))

    def since() -> dt.date:
        return window_start(clock.now().date())

    async def load() -> None:
        count = 0
        async for customer_id, days in usage.every_customer(since()):
            held.put(customer_id, days)
            count += 1
        held.filled = True
        log.info("recent usage loaded: %d customers with usage", count)

    async def changed(after: Mapping[TopicPartition, int], customer_ids: set[str]) -> None:
        await consumers.passed(after)
        for customer_id in customer_ids:
            held.put(customer_id, await usage.days(customer_id, since()))

    lag = Gauge(
        "msc_recent_usage_lag",
        "Usage reports on backup.usage after which this instance has not read usage again.",
        registry=registry,
    )
    return TopicFollower(
        "recent usage", BACKUP_USAGE, settings, load=load, changed=changed, lag=lag
    )
