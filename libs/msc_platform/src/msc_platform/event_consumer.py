"""Kafka batch consumption that never loses or double-applies an acknowledged event.

Each batch is decoded against the contract; a record that cannot be decoded or breaks the
contract goes to `<topic>.dlq` with the reason and its origin in headers (cut to fit the
broker's limit, and marked so, when too large; its coordinates alone if even that is
refused; an ERROR line and a counter if the topic is missing or refuses that too: a dead
letter never holds up a partition), unknown types are skipped and counted, and the valid events
are handed to the service's handler. Transient infrastructure errors (database or broker
unreachable) are retried with backoff and jitter for as long as they last; an event that
fails for any other reason is dead-lettered alone after the batch is split, so no record
can hold up the ones behind it. Offsets are committed only after all of that is stored, so
a crash redelivers, and the handlers are idempotent.

One writer per customer: the group assigns partitions with `CoPartitionAssignor`, and a
member gives up its partitions in a rebalance only once the batch it is applying is
settled (`on_partitions_revoked` waits for it), so the next owner never writes beside it.
A consumer with records waiting that has not settled a batch for `stall_after_s` is
stalled: its readiness probe fails and `msc_consumer_stalls` counts it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    KafkaError,
    KafkaTimeoutError,
    UnknownTopicOrPartitionError,
)
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError

from msc_contracts.events import CloudEvent, InvalidEvent, UnknownEventType, decode_event
from msc_contracts.topics import dead_letter_topic
from msc_platform.consumer_metrics import ConsumerMetrics
from msc_platform.copartition import CoPartitionAssignor
from msc_platform.dead_letters import OutgoingLetter, fitted_dead_letter, minimal_dead_letter
from msc_platform.fencing import Revoked, owned_while
from msc_platform.settings import DEFAULT_MAX_MESSAGE_BYTES, InfrastructureSettings
from msc_platform.topic_presence import TopicPresence
from msc_platform.tracing import RecordSpans

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


class TopicMissing(Exception):
    """The broker answers but has no such topic."""


@dataclass(frozen=True)
class DeadLetter:
    """A record that cannot be applied, with the reason."""

    record: ConsumerRecord[bytes, bytes]
    reason: str


def is_transient(exc: BaseException) -> bool:
    """True for infrastructure errors that a retry can cure: the database or the broker
    unreachable, a failover, a timeout, or two upserts of one new document at once (handlers
    only upsert by `_id`, so reading again and retrying settles it)."""
    if isinstance(exc, ConnectionFailure | DuplicateKeyError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, KafkaError):
        return isinstance(exc, KafkaTimeoutError) or bool(exc.retriable)
    return isinstance(exc, OperationFailure) and exc.has_error_label("RetryableWriteError")


def backoff(attempt: int, cap_s: float) -> float:
    """Seconds to wait before retry `attempt` (1, 2, ...): exponential from 0.1 s up to
    `cap_s`, with full jitter so that instances that failed together do not retry together."""
    return random.uniform(0, min(cap_s, 0.1 * 2 ** (attempt - 1)))


def kafka_broker(settings: InfrastructureSettings) -> KafkaBroker:
    """The service's broker client, as its settings say (not connected yet)."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        logger=logging.getLogger("kafka"),
        metadata_max_age_ms=settings.kafka_metadata_max_age_ms,
        max_request_size=settings.kafka_max_message_bytes,
    )


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
        stall_after_s: float = 60.0,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self._broker = broker
        self._name = name
        self._group_id = group_id
        self._topics = tuple(topics)
        self._handler = handler
        self._metrics = metrics
        self._max_backoff_s = max_backoff_s
        self._stall_after_s = stall_after_s
        self._max_message_bytes = max_message_bytes
        self.dead_letter_topics = TopicPresence(
            lambda: broker.config.admin_client.list_topics(),
            [dead_letter_topic(topic) for topic in self._topics],
        )
        """The dead-letter topics of this consumer that the broker lacks (for `/readyz`)."""
        self._settled = asyncio.Event()
        self._settled.set()
        self._rebalancing = False
        self._batch_since: float | None = None
        self._progress_at = time.monotonic()
        self._waiting = False
        self._was_stalled = False
        metrics.stalled.labels(name).set_function(lambda: float(self.stalled_for() is not None))
        self.subscriber = broker.subscriber(
            *self._topics,
            group_id=group_id,
            batch=True,
            max_records=max_records,
            batch_timeout_ms=100,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            decoder=_keep_raw,
            partition_assignment_strategy=(CoPartitionAssignor,),
            listener=_SettleBeforeRevoke(self),
        )
        self.subscriber(self._on_batch)

    def stalled_for(self) -> float | None:
        """Seconds this consumer has gone without settling a batch while records wait, once
        that is more than `stall_after_s`; None while it is keeping up."""
        now = time.monotonic()
        if self._batch_since is not None:
            idle = now - self._batch_since
        elif self._waiting:
            idle = now - self._progress_at
        else:
            idle = 0.0
        stalled = idle > self._stall_after_s
        if stalled and not self._was_stalled:
            self._metrics.stalls.labels(self._name).inc()
            log.error(
                "consumer %s has settled no batch for %.0f s while records wait",
                self._name,
                idle,
            )
        self._was_stalled = stalled
        return idle if stalled else None

    async def probe(self) -> None:
        """Readiness: fails while the consumer is stalled."""
        idle = self.stalled_for()
        if idle is not None:
            raise RuntimeError(
                f"consumer {self._name} has settled no batch for {idle:.0f} s while records "
                "wait; its log says why (a database or broker it cannot reach, most often)"
            )

    async def settle(self) -> None:
        """A rebalance begins: return once no batch is being applied. The batch under way
        gives up at its next retry, unsettled, for the partitions' next owner to apply, and
        no batch starts until `resume` (the new assignment)."""
        self._rebalancing = True
        await self._settled.wait()

    def resume(self) -> None:
        """The rebalance has ended: batches of the new assignment may be applied."""
        self._rebalancing = False

    async def _on_batch(self, message: KafkaMessage) -> None:
        # Nothing may escape: an exception here would end FastStream's consume loop.
        records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
        if self._rebalancing or not _still_assigned(message, records):
            return  # fetched before a rebalance: the partitions' owner reads them again
        self._settled.clear()
        self._batch_since = time.monotonic()
        owned_while(lambda: not self._rebalancing and _still_assigned(message, records))
        try:
            await self._settle_batch(message, records)
        finally:
            self._batch_since = None
            self._settled.set()

    async def _settle_batch(
        self, message: KafkaMessage, records: tuple[ConsumerRecord[bytes, bytes], ...]
    ) -> None:
        try:
            await self.process(records)
        except Revoked:
            log.info("batch of %d records left to the partitions' next owner", len(records))
            await _rewind(message)
            return
        except Exception:
            log.exception("batch of %d records failed; it will be delivered again", len(records))
            await _rewind(message)
            await asyncio.sleep(random.uniform(0, self._max_backoff_s))  # full jitter
            return
        try:
            await message.ack()
        except CommitFailedError:
            # The partitions moved to another member while this batch was applied; it
            # re-applies them from the last commit, and applying twice changes nothing.
            log.warning("commit refused after a rebalance; the new owner re-applies the batch")
        except KafkaError as exc:
            log.warning("commit failed (%s); the batch will be applied again", exc)
        self._progress_at = time.monotonic()
        self._record_lag(message, records)

    async def process(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """Decode, apply and dead-letter one batch; returns once every record is settled."""
        spans = RecordSpans(self._group_id)
        try:
            await self._process(records, spans)
        finally:
            spans.end()

    async def _process(
        self, records: Sequence[ConsumerRecord[bytes, bytes]], spans: RecordSpans
    ) -> None:
        valid: list[tuple[ConsumerRecord[bytes, bytes], Received]] = []
        dead: list[DeadLetter] = []
        for record in records:
            spans.start(record)
            try:
                event = decode_event(record.value or b"", record.key, record.topic)
                valid.append(
                    (record, Received(event, record.topic, record.partition, record.offset))
                )
                spans.describe(record, event.type, event.customerid)
            except InvalidEvent as exc:
                dead.append(DeadLetter(record, exc.reason))
            except UnknownEventType as exc:
                self._metrics.unknown_type(record.topic, exc.event_type)
                log.info("skipped unknown event type %.100r at %s", exc.event_type, _where(record))
            except Exception as exc:  # a record no check foresaw must not stop the others
                log.exception("could not decode %s", _where(record))
                dead.append(DeadLetter(record, f"could not be decoded: {exc!r}"))
        dead.extend(await self._apply(valid))
        for letter in dead:
            spans.fail(letter.record, letter.reason)
            await self._dead_letter(letter)

    async def _apply(
        self, items: Sequence[tuple[ConsumerRecord[bytes, bytes], Received]]
    ) -> list[DeadLetter]:
        if not items:
            return []
        try:
            result = await self._with_retry([received for _, received in items])
        except Revoked:
            raise  # the partitions' next owner applies them: nothing here failed
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
        applied: Applied = await self._retrying(lambda: self._handler(events), "database")
        return applied

    async def _retrying(self, attempt: Callable[[], Awaitable[Any]], what: str) -> Any:
        """`attempt()` until it succeeds or fails for a reason a retry cannot cure."""
        failures = 0
        while True:
            if self._rebalancing:
                raise Revoked
            try:
                return await attempt()
            except (PyMongoError, KafkaError, OSError, TimeoutError) as exc:
                if not is_transient(exc):
                    raise
                failures += 1
                delay = backoff(failures, self._max_backoff_s)
                self._metrics.retries.labels(self._name).inc()
                log.warning(
                    "transient %s error, retry %d in %.1f s: %r", what, failures, delay, exc
                )
                await asyncio.sleep(delay)

    async def _dead_letter(self, letter: DeadLetter) -> None:
        """Publish the record's dead letter, cut to fit; if it is refused for good, its
        coordinates and reason alone; if that is refused too, an ERROR log line and
        `msc_dead_letters_lost_total`. A broker that does not answer is waited for."""
        record = letter.record
        log.warning(
            "dead-lettering %s: %.300s",
            _where(record),
            letter.reason,
            extra={"customer_id": (record.key or b"-")[:128].decode("latin-1")},
        )
        refused = await self._publish_dead_letter(
            fitted_dead_letter(record, letter.reason, self._max_message_bytes)
        )
        if refused is None:
            self._metrics.dead_lettered.labels(record.topic).inc()
            return
        minimal = minimal_dead_letter(record, letter.reason, refused)
        refused_again = await self._publish_dead_letter(minimal)
        if refused_again is None:
            log.error(
                "dead letter of %s refused (%s); sent its coordinates only", _where(record), refused
            )
            self._metrics.dead_lettered.labels(record.topic).inc()
            self._metrics.dead_letters_minimal.labels(record.topic).inc()
            return
        log.error(
            "dead letter of %s lost: %s; the record was refused because: %.300s",
            _where(record),
            refused_again,
            letter.reason,
        )
        self._metrics.dead_letters_lost.labels(record.topic).inc()

    async def _publish_dead_letter(self, letter: OutgoingLetter) -> str | None:
        """None once `letter` is published, else why it cannot be (for good: a retry
        would meet the same answer). Transient broker errors are retried meanwhile."""
        if letter.topic in await self.dead_letter_topics.missing():
            return f"topic {letter.topic} does not exist"

        async def publish() -> None:
            try:
                await self._broker.publish(
                    letter.value, topic=letter.topic, key=letter.key, headers=letter.headers
                )
            except UnknownTopicOrPartitionError:
                # Also what a broker that does not answer gives: ask it.
                if await self.dead_letter_topics.confirmed_missing(letter.topic):
                    raise TopicMissing(letter.topic) from None
                raise

        try:
            await self._retrying(publish, "broker")
        except Revoked:
            raise
        except TopicMissing:
            return f"topic {letter.topic} does not exist"
        except Exception as exc:  # refused for good: too large, not authorized, a bug
            return repr(exc)[:300]
        return None

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
        waiting = False
        for tp, position in next_offsets.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                lag = max(highwater - position, 0)
                waiting = waiting or lag > 0
                self._metrics.lag.labels(tp.topic, str(tp.partition)).set(lag)
        self._waiting = waiting


class _SettleBeforeRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Holds a rebalance until the batch under way is settled (see the module's docstring)."""

    def __init__(self, consumer: EventConsumer) -> None:
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._consumer.settle()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._consumer.resume()


def _still_assigned(message: Any, records: Sequence[ConsumerRecord[bytes, bytes]]) -> bool:
    consumer = getattr(message, "consumer", None)
    if consumer is None or not hasattr(consumer, "assignment"):
        return True
    assigned = consumer.assignment()
    return all(TopicPartition(r.topic, r.partition) in assigned for r in records)


async def _rewind(message: Any) -> None:
    """Seek each partition of the batch back to its first record; partitions no longer
    assigned are read from their last commit by their next owner anyway."""
    try:
        await message.nack()
    except (IllegalStateError, KafkaError, AssertionError) as exc:
        log.info("could not rewind the batch (%r); its partitions were reassigned", exc)


async def _keep_raw(message: Any) -> None:
    """Skip FastStream's JSON decoding: the records are decoded against the contract here."""
    return None


def _where(record: ConsumerRecord[bytes, bytes]) -> str:
    return f"{record.topic}[{record.partition}]@{record.offset}"
