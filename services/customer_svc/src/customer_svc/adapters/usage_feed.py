"""Keeps this instance's `RecentUsage` current with the usage every instance records.

Loaded with every live customer's stored days, then each record of `backup.usage` names a
customer whose usage may have changed (its key). A record is applied to the database by
whichever instance's usage consumer owns its partition, and that consumer commits the
record's offset only once it is stored; so the feed waits until the usage consumers'
group has committed past a batch before it reads the batch's customers again by `_id`.
It never reads a customer before its report is stored, and so never keeps a figure that
misses one; it holds only customers that are stored and not deleted (a deleted one is
forgotten too when the customers list reads its deletion: `customer_list_feed`), so what an
instance holds is bounded by the live customers (`msc_platform.topic_follower` says why
the rest converges on the database).

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
from prometheus_client import CollectorRegistry, Counter, Gauge

from customer_svc.adapters.mongo_customers import MongoCustomerRepository
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
    customers: MongoCustomerRepository,
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

    purged = Counter(
        "msc_usage_orphans_purged",
        "Customers whose stored usage was purged at start: no live customer has the id.",
        registry=registry,
    )

    async def load() -> None:
        # Only live customers' usage is held. A customer created after this read has its
        # reports after the place the follower fixed before the load, so `changed` takes
        # them; its usage stored before that (none, but raced) is read again below.
        live = await customers.live_ids()
        count, orphans = 0, []
        async for customer_id, days in usage.every_customer(since()):
            if customer_id in live:
                held.put(customer_id, days)
                count += 1
            else:
                orphans.append(customer_id)
        del live
        # Usage of ids that are no live customer's (stored by releases before 1.2, which
        # kept reports of customers never created, or a deletion whose purge failed) is
        # purged, once the stored customers confirm it, so it is not read at every start.
        stored = await customers.stored(orphans)
        gone = [cid for cid in orphans if stored.get(cid, True)]
        for cid in set(orphans) - set(gone):  # created meanwhile
            held.put(cid, await usage.days(cid, since()))
        await usage.purge_many(gone)
        purged.inc(len(gone))
        held.filled = True
        log.info(
            "recent usage loaded: %d customers with usage; usage of %d ids that are no "
            "live customer's purged",
            count,
            len(gone),
        )

    async def changed(after: Mapping[TopicPartition, int], customer_ids: set[str]) -> None:
        await consumers.passed(after)
        days = {cid: await usage.days(cid, since()) for cid in customer_ids}
        # Read after the days: a customer deleted since is found deleted here, or its
        # deletion's record reaches the customers list (which forgets it) after this.
        stored = await customers.stored(customer_ids)
        for customer_id, held_days in days.items():
            if stored.get(customer_id) is False:
                held.put(customer_id, held_days)
            else:
                held.forget(customer_id)

    lag = Gauge(
        "msc_recent_usage_lag",
        "Usage reports on backup.usage after which this instance has not read usage again.",
        registry=registry,
    )
    return TopicFollower(
        "recent usage", BACKUP_USAGE, settings, load=load, changed=changed, lag=lag
    )
