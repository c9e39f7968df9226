"""Keeps this instance's customers list (`CustomerList`) current with every instance's writes.

The list is served from memory, so a page costs its own length and not the fleet's. It is
loaded with every live customer, then each record of `customers.events` names a customer
that changed somewhere (its key): its document is read again by `_id` and put in the list,
where a version older than the one held changes nothing (`msc_platform.topic_follower`
says why that converges on the database).

How stale another instance's list can be: the relay's delay (it publishes at once after a
write) plus one fetch, well under a second while Kafka answers; this instance's own writes
are listed at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry, Gauge

from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.domain.customer_list import CustomerList
from msc_contracts.topics import CUSTOMER_EVENTS
from msc_platform.settings import InfrastructureSettings
from msc_platform.topic_follower import TopicFollower

log = logging.getLogger(__name__)


def customer_list_feed(
    customer_list: CustomerList,
    repository: MongoCustomerRepository,
    settings: InfrastructureSettings,
    registry: CollectorRegistry,
    on_deleted: Callable[[str], None] = lambda _customer_id: None,
) -> TopicFollower:
    """A follower of `customers.events` filling and updating `customer_list`; `on_deleted` is
    told of each customer found deleted (the held usage forgets it)."""
    Gauge(
        "msc_customer_list_customers", "Customers in this instance's list.", registry=registry
    ).set_function(lambda: len(customer_list))

    async def load() -> None:
        customers = await repository.all_live()
        for customer in customers:
            customer_list.put(customer)
        customer_list.filled = True
        log.info("customers list filled: %d customers", len(customers))

    async def changed(_after: Mapping[TopicPartition, int], customer_ids: set[str]) -> None:
        for customer_id in customer_ids:
            customer = await repository.latest(customer_id)
            if customer is not None:
                customer_list.put(customer)
                if customer.deleted:
                    on_deleted(customer_id)

    lag = Gauge(
        "msc_customer_list_lag",
        "Changes published on customers.events that this instance's list has not read.",
        registry=registry,
    )
    return TopicFollower(
        "customers list", CUSTOMER_EVENTS, settings, load=load, changed=changed, lag=lag
    )
