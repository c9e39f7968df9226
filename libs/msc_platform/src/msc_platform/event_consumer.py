"""Kafka batch consumption that never loses or double-applies an acknowledged event.

Each batch is decoded against the contract; malformed events go to `<topic>.dlq` with the
reason and their origin in headers, unknown types are skipped and counted, and the valid
ones are handed to the service's handler. Transient database errors are retried with
backoff forever (a message is never skipped); an event that fails for any other reason
is dead-lettered alone after the batch is split. Offsets are committed only after all of
that is stored, so a crash redelivers, and the handlers are idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import CollectorRegistry, Counter, Gauge
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

from msc_contracts.events import CloudEvent, InvalidEvent, UnknownEventType, decode_event
from msc_contracts.topics import dead_letter_topic

log = logging.getLogger(__name__)

Event = CloudEvent[Any]


@dataclass(frozen=True)
class Applied:
    """What a handler did with a batch: how many events took effect and how many were repeats."""

    applied: int
    duplicates: int


@dataclass(frozen=True)
class Received:
    """A valid event with its place in the stream."""

    event: Event
    topic: str
    partition: int
    offset: int


EventHandler = Callable[[Sequence[Received]], Awaitable[Applied]]


class ConsumerMetrics:
    """Prometheus counters of one service's consumers, labelled by topic."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.applied = Counter(
            "msc_events_applied", "Events that took effect.", ["consumer"], registry=registry
        )
        self.duplicates = Counter(
            "msc_events_duplicates_ignored",
            "Events that changed nothing: repeats, superseded snapshots, deleted customers.",
            ["consumer"],
            registry=registry,
        )
        self.dead_lettered = Counter(
            "msc_events_dead_lettered",
            "Events sent to the dead-letter topic.",
            ["topic"],
            registry=registry,
        )
        self.skipped = Counter(
            "msc_events_skipped_unknown_type",
            "Events of an unknown type, skipped.",
            ["topic", "type"],
            registry=registry,
        )
        self.retries = Counter(
            "msc_event_batch_retries",
            "Batches retried after a transient database error.",
            ["consumer"],
            registry=registry,
        )
        self.lag = Gauge(
            "msc_consumer_lag",
            "Messages between the consumer position and the end of the partition.",
            ["topic", "partition"],
            registry=registry,
        )


@dataclass(frozen=True)
class DeadLetter:
    """A record that cannot be applied, with the reason."""

    record: ConsumerRecord[bytes, bytes]
    reason: str


def is_transient(exc: BaseException) -> bool:
    """True for database errors that a retry can cure (lost connection, failover, timeout)."""
    if isinstance(exc, ConnectionFailure):
        return True
    return isinstance(exc, OperationFailure) and exc.has_error_label("RetryableWriteError")


class EventConsumer:
    """Subscribes one handler to some topics in a consumer group, with the guarantees above."""

    def __init__(
        self,
        broker: KafkaBroker,
        *,
        name: str,
        topics: Sequence[str],
        group_id: str,
        handler: EventHandler,
        metrics: ConsumerMetrics,
        max_records: int = 500,
        max_backoff_s: float = 5.0,
    ) -> None:
        self._broker = broker
        self._name = name
        self._topics = tuple(topics)
        self._handler = handler
        self._metrics = metrics
        self._max_backoff_s = max_backoff_s
        self.subscriber = broker.subscriber(
            *self._topics,
            group_id=group_id,
            batch=True,
            max_records=max_records,
            batch_timeout_ms=100,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            decoder=_keep_raw,
        )
        self.subscriber(self._on_batch)

    async def _on_batch(self, message: KafkaMessage) -> None:
        # Nothing may escape: an exception here would end FastStream's consume loop.
        records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
        try:
            await self.process(records)
        except Exception:
            log.exception("batch of %d records failed; it will be delivered again", len(records))
            await message.nack()  # rewinds each partition to the batch's first record
            await asyncio.sleep(self._max_backoff_s)
            return
        try:
            await message.ack()
        except CommitFailedError:
            # The partitions moved to another member while this batch was applied; it
            # re-applies them from the last commit, and applying twice changes nothing.
            log.warning("commit refused after a rebalance; the new owner re-applies the batch")
        except KafkaError as exc:
            log.warning("commit failed (%s); the batch will be applied again", exc)
        self._record_lag(message, records)

    async def process(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """Decode, apply and dead-letter one batch; returns once every record is settled."""
        valid: list[tuple[ConsumerRecord[bytes, bytes], Received]] = []
        dead: list[DeadLetter] = []
        for record in records:
            try:
                event = decode_event(record.value or b"", record.key, record.topic)
                valid.append(
                    (record, Received(event, record.topic, record.partition, record.offset))
                )
            except InvalidEvent as exc:
                dead.append(DeadLetter(record, exc.reason))
            except UnknownEventType as exc:
                self._metrics.skipped.labels(record.topic, exc.event_type).inc()
                log.info("skipped unknown event type %s at %s", exc.event_type, _where(record))
        dead.extend(await self._apply(valid))
        for letter in dead:
            await self._dead_letter(letter)

    async def _apply(
        self, items: Sequence[tuple[ConsumerRecord[bytes, bytes], Received]]
    ) -> list[DeadLetter]:
        if not items:
            return []
        try:
            result = await self._with_retry([received for _, received in items])
        except Exception as exc:
            if len(items) == 1:
                log.exception("event %s failed; dead-lettering it", items[0][1].event.id)
                return [DeadLetter(items[0][0], f"handler failed: {exc!r}")]
            # Split to find the events that fail; the handler is idempotent, so
            # re-applying the ones that had taken effect changes nothing.
            middle = len(items) // 2
            return await self._apply(items[:middle]) + await self._apply(items[middle:])
        self._metrics.applied.labels(self._name).inc(result.applied)
        self._metrics.duplicates.labels(self._name).inc(result.duplicates)
        return []

    async def _with_retry(self, events: Sequence[Received]) -> Applied:
        delay = 0.1
        while True:
            try:
                return await self._handler(events)
            except PyMongoError as exc:
                if not is_transient(exc):
                    raise
                self._metrics.retries.labels(self._name).inc()
                log.warning("transient database error, retrying in %.1f s: %s", delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff_s)

    async def _dead_letter(self, letter: DeadLetter) -> None:
        record = letter.record
        log.warning("dead-lettering %s: %s", _where(record), letter.reason)
        headers = {
            "x-dlq-reason": letter.reason[:1000],
            "x-original-topic": record.topic,
            "x-original-partition": str(record.partition),
            "x-original-offset": str(record.offset),
        }
        await self._broker.publish(
            record.value or b"",
            topic=dead_letter_topic(record.topic),
            key=record.key,
            headers=headers,
        )
        self._metrics.dead_lettered.labels(record.topic).inc()

    def _record_lag(self, message: Any, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """Lag of each partition in the batch: its end offset minus the next offset to read.

        Only synchronous reads of the consumer: awaiting `position()` here could wait on
        a rebalance and stall the consume loop.
        """
        consumer = getattr(message, "consumer", None)
        if consumer is None or not hasattr(consumer, "highwater"):
            return
        next_offsets: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            next_offsets[tp] = max(next_offsets.get(tp, 0), record.offset + 1)
        for tp, position in next_offsets.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                self._metrics.lag.labels(tp.topic, str(tp.partition)).set(
                    max(highwater - position, 0)
                )


async def _keep_raw(message: Any) -> None:
    """Skip FastStream's JSON decoding: the records are decoded against the contract here."""
    return None


def _where(record: ConsumerRecord[bytes, bytes]) -> str:
    return f"{record.topic}[{record.partition}]@{record.offset}"
