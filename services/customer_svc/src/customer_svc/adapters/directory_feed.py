"""Keeps this instance's customers list (`Directory`) current with every instance's writes.

The list is served from memory, so a page costs its own length and not the fleet's. At
start the feed fixes its place at the end of each partition of `customers.events`, then
reads every live customer once; from then on each record names a customer that changed
somewhere (its key), and the feed reads that customer's document again by `_id` and puts
it in the list, where a version older than the one held changes nothing. So whatever the
order of records and reads, the list converges on the database: a change made before the
load is in the load, a change made after it has its event after the place fixed first.

Every instance reads every partition (no consumer group, nothing committed), and takes up
partitions added to the topic from their first record. How stale another instance's list
can be: the relay's delay (it publishes at once after a write) plus one fetch, well
under a second while Kafka answers; this instance's own writes are listed at once.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from prometheus_client import CollectorRegistry, Gauge

from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.domain.listing import Directory
from msc_contracts.topics import CUSTOMER_EVENTS
from msc_platform.event_consumer import backoff
from msc_platform.settings import InfrastructureSettings

log = logging.getLogger(__name__)


class DirectoryFeed:
    """A background task filling and following the customers list."""

    def __init__(
        self,
        directory: Directory,
        repository: MongoCustomerRepository,
        settings: InfrastructureSettings,
        registry: CollectorRegistry,
        *,
        max_backoff_s: float = 5.0,
    ) -> None:
        self._directory = directory
        self._repo = repository
        self._settings = settings
        self._max_backoff_s = max_backoff_s
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._next: dict[TopicPartition, int] = {}  # the next offset to read, per partition
        Gauge(
            "msc_customer_list_customers", "Customers in this instance's list.", registry=registry
        ).set_function(lambda: len(self._directory))
        self._lag = Gauge(
            "msc_customer_list_lag",
            "Changes published on customers.events that this instance's list has not read.",
            registry=registry,
        )

    def start(self) -> None:
        """Fill the list and follow the changes, in the background."""
        self._task = asyncio.create_task(self._run(), name="customer-list-feed")

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    async def probe(self) -> None:
        """Readiness: the list is filled."""
        if not self._directory.filled:
            raise RuntimeError("the customers list is still being read from the database")

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                if self._consumer is None:
                    await self._fill()
                await self._follow()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                delay = backoff(failures, self._max_backoff_s)
                log.warning(
                    "customers list feed failed, retry %d in %.1f s: %r", failures, delay, exc
                )
                await asyncio.sleep(delay)

    async def _fill(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # for partitions added later: all of theirs is new
            metadata_max_age_ms=self._settings.kafka_metadata_max_age_ms,
        )
        await consumer.start()
        try:
            partitions = await self._partitions(consumer)
            consumer.assign(partitions)  # none while the topic does not exist yet
            if partitions:
                await consumer.seek_to_end(*partitions)
            for tp in partitions:  # the place is fixed before the load
                self._next[tp] = await consumer.position(tp)
            customers = await self._repo.all_live()
        except BaseException:
            await consumer.stop()
            raise
        for customer in customers:
            self._directory.put(customer)
        self._consumer = consumer
        self._directory.filled = True
        log.info("customers list filled: %d customers", len(customers))

    async def _follow(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        while True:
            if not consumer.assignment():  # the topic is not there yet
                await asyncio.sleep(1.0)
                await consumer.topics()
                await self._take_up_added_partitions(consumer)
                continue
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            changed: set[str] = set()
            for tp, records in batches.items():
                self._next[tp] = records[-1].offset + 1
                changed.update(key for record in records if (key := _key(record)))
            for customer_id in changed:
                customer = await self._repo.latest(customer_id)
                if customer is not None:
                    self._directory.put(customer)
            await self._take_up_added_partitions(consumer)
            self._lag.set(
                sum(
                    max((consumer.highwater(tp) or offset) - offset, 0)
                    for tp, offset in self._next.items()
                )
            )

    async def _take_up_added_partitions(self, consumer: AIOKafkaConsumer) -> None:
        known = consumer.partitions_for_topic(CUSTOMER_EVENTS) or set()
        held = consumer.assignment()
        if len(known) <= len(held):
            return
        positions = {tp: await consumer.position(tp) for tp in held}
        consumer.assign([TopicPartition(CUSTOMER_EVENTS, p) for p in sorted(known)])
        for tp, offset in positions.items():
            consumer.seek(tp, offset)
        for p in known:
            self._next.setdefault(TopicPartition(CUSTOMER_EVENTS, p), 0)
        log.info("customers list reads %d partitions of %s now", len(known), CUSTOMER_EVENTS)

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        await consumer.topics()  # fresh metadata
        partitions = consumer.partitions_for_topic(CUSTOMER_EVENTS) or set()
        return [TopicPartition(CUSTOMER_EVENTS, p) for p in sorted(partitions)]


def _key(record: ConsumerRecord[bytes, bytes]) -> str | None:
    """The customer a record is about (the relay keys each by its customer); anything else
    names no stored customer, and reading it again finds nothing."""
    key: bytes | None = record.key
    if key is None or len(key) > 128:
        return None
    return key.decode("utf-8", "replace")
