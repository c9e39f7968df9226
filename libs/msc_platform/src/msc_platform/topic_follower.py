"""Keeps an in-memory read model current from a topic whose records name what changed.

At start the follower fixes its place at the end of each partition of the topic, then
asks for the read model to be loaded from the database; from then on each batch of
records hands the changed keys (records are keyed by customer) to be read again. So
whatever the order of records and reads, the model converges on the database: a change
made before the load is in the load, a change made after it has its record after the
place fixed first.

Every instance reads every partition (no consumer group, nothing committed), and takes up
partitions added to the topic from their first record. Failures (Kafka or the database
away) are retried with backoff for as long as they last; the model keeps serving what it
holds meanwhile, and the lag gauge says how far behind it is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge

from msc_platform.retry import backoff
from msc_platform.settings import InfrastructureSettings

log = logging.getLogger(__name__)

Load = Callable[[], Awaitable[None]]
"""Read the whole model from the database."""
Changed = Callable[[Mapping[TopicPartition, int], set[str]], Awaitable[None]]
"""Read again what these keys name; the mapping is, per partition of the batch, the offset
after its last record."""


class TopicFollower:
    """A background task loading a read model, then following `topic` to keep it current."""

    def __init__(
        self,
        name: str,
        topic: str,
        settings: InfrastructureSettings,
        *,
        load: Load,
        changed: Changed,
        lag: Gauge,
        max_backoff_s: float = 5.0,
    ) -> None:
        """`name` says what is followed in logs and probes; `lag` is set to the records
        published on `topic` that the follower has not handed on yet."""
        self._name = name
        self._topic = topic
        self._settings = settings
        self._load = load
        self._changed = changed
        self._lag = lag
        self._max_backoff_s = max_backoff_s
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._next: dict[TopicPartition, int] = {}  # the next offset to read, per partition
        self.loaded = False

    def start(self) -> None:
        """Load and follow, in the background."""
        self._task = asyncio.create_task(self._run(), name=f"{self._name} follower")

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    async def probe(self) -> None:
        """Readiness: the model is loaded."""
        if not self.loaded:
            raise RuntimeError(f"the {self._name} is still being read from the database")

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                if self._consumer is None:
                    await self._fix_place_and_load()
                await self._follow()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                delay = backoff(failures, self._max_backoff_s)
                log.warning(
                    "%s follower failed, retry %d in %.1f s: %r", self._name, failures, delay, exc
                )
                await asyncio.sleep(delay)

    async def _fix_place_and_load(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # for partitions added later: all of theirs is new
            metadata_max_age_ms=self._settings.kafka_metadata_max_age_ms,
        )
        await consumer.start()
        try:
            partitions = await partitions_of(self._settings.kafka_bootstrap_servers, self._topic)
            consumer.assign(partitions)  # none while the topic does not exist yet
            if partitions:
                await consumer.seek_to_end(*partitions)
            for tp in partitions:  # the place is fixed before the load
                self._next[tp] = await consumer.position(tp)
            await self._load()
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer
        self.loaded = True
        log.info("%s loaded; following %s", self._name, self._topic)

    async def _follow(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        while True:
            if not consumer.assignment():  # the topic is not there yet
                await asyncio.sleep(1.0)
                partitions = await partitions_of(
                    self._settings.kafka_bootstrap_servers, self._topic
                )
                consumer.assign(partitions)  # from their first record: all of theirs is new
                continue
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            if batches:
                after = {tp: records[-1].offset + 1 for tp, records in batches.items()}
                keys = {key for records in batches.values() for r in records if (key := _key(r))}
                try:
                    await self._changed(after, keys)
                except BaseException:  # read the batch again when following resumes
                    for tp, records in batches.items():
                        consumer.seek(tp, records[0].offset)
                    raise
                self._next.update(after)
            await self._take_up_added_partitions(consumer)
            self._lag.set(
                sum(
                    max((consumer.highwater(tp) or offset) - offset, 0)
                    for tp, offset in self._next.items()
                )
            )

    async def _take_up_added_partitions(self, consumer: AIOKafkaConsumer) -> None:
        # The consumer's metadata, refreshed every `kafka_metadata_max_age_ms`, covers the
        # topic once partitions of it are assigned.
        known = consumer.partitions_for_topic(self._topic) or set()
        held = consumer.assignment()
        if len(known) <= len(held):
            return
        positions = {tp: await consumer.position(tp) for tp in held}
        consumer.assign([TopicPartition(self._topic, p) for p in sorted(known)])
        for tp, offset in positions.items():
            consumer.seek(tp, offset)
        for p in known:
            self._next.setdefault(TopicPartition(self._topic, p), 0)
        log.info("%s follows %d partitions of %s now", self._name, len(known), self._topic)


async def partitions_of(bootstrap_servers: str, topic: str) -> list[TopicPartition]:
    """The topic's partitions as the broker knows them now (none if it does not exist).

    Asked of an admin client: a consumer without a group knows no topic's partitions
    until its first metadata refresh, `kafka_metadata_max_age_ms` after it starts.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [
        TopicPartition(topic, p["partition"])
        for p in sorted(described["partitions"], key=lambda p: p["partition"])
    ]


def _key(record: ConsumerRecord[bytes, bytes]) -> str | None:
    """The customer a record is about (records are keyed by customer); anything else names
    no stored customer, and reading it again finds nothing."""
    key: bytes | None = record.key
    if key is None or len(key) > 128:
        return None
    return key.decode("utf-8", "replace")
