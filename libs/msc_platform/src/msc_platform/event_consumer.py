"""Kafka batch consumption that never loses or double-applies an acknowledged event.

Each batch is decoded against the contract; a record that cannot be decoded or breaks the
contract is dead-lettered with its reason (`dead_letter_publisher`: a dead letter never
holds up a partition), unknown types are skipped and counted, and the valid events are
handed to the service's handler. Transient infrastructure errors (database or broker
unreachable) are retried with backoff and jitter for as long as they last (`retry`); an
event that fails for any other reason is dead-lettered alone after the batch is split, so
no record can hold up the ones behind it. Offsets are committed only after all of that is
stored, so a crash redelivers, and the handlers are idempotent.

One writer per customer: the group assigns partitions with `CoPartitionAssignor`, a member
gives up its partitions only once the batch it is applying is settled (`rebalance`), and
its writes are fenced meanwhile (`fencing`). A consumer that falls behind says so on
`/readyz` (`consumer_progress`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRecord
from aiokafka.errors import CommitFailedError, KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from msc_contracts.events import CloudEvent, InvalidEvent, UnknownEventType, decode_event
from msc_contracts.topics import dead_letter_topic
from msc_platform.consumer_metrics import ConsumerMetrics
from msc_platform.consumer_progress import ConsumerProgress
from msc_platform.copartition import CoPartitionAssignor
from msc_platform.dead_letter_publisher import DeadLetter, DeadLetterPublisher
from msc_platform.dead_letters import where
from msc_platform.fencing import Revoked, owned_while
from msc_platform.rebalance import SettleBeforeRevoke, Settling, rewind, still_assigned
from msc_platform.retry import Retrying
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
        on_revoked: Callable[[], None] = lambda: None,
    ) -> None:
        """`on_revoked` is called when the member gives up its partitions, once the batch
        under way is settled."""
        self._name = name
        self._group_id = group_id
        self._handler = handler
        self._metrics = metrics
        self._max_backoff_s = max_backoff_s
        self.rebalance = Settling()
        self.progress = ConsumerProgress(name, metrics, stall_after_s)
        self._retrying = Retrying(
            max_backoff_s=max_backoff_s,
            retries=metrics.retries.labels(name),
            given_up=lambda: self.rebalance.under_way,
        )
        self.dead_letters = DeadLetterPublisher(
            broker,
            topics=TopicPresence(
                lambda: broker.config.admin_client.list_topics(),
                [dead_letter_topic(topic) for topic in topics],
            ),
            retrying=self._retrying,
            metrics=metrics,
            max_message_bytes=max_message_bytes,
        )
        self.subscriber = broker.subscriber(
            *topics,
            group_id=group_id,
            batch=True,
            max_records=max_records,
            batch_timeout_ms=100,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            decoder=_keep_raw,
            partition_assignment_strategy=(CoPartitionAssignor,),
            listener=SettleBeforeRevoke(self.rebalance, on_revoked),
        )
        self.subscriber(self._on_batch)

    @property
    def dead_letter_topics(self) -> TopicPresence:
        """The dead-letter topics of this consumer that the broker lacks (for `/readyz`)."""
        return self.dead_letters.topics

    async def probe(self) -> None:
        """Readiness: fails while the consumer is stalled (`ConsumerProgress`)."""
        await self.progress.probe()

    async def _on_batch(self, message: KafkaMessage) -> None:
        # Nothing may escape: an exception here would end FastStream's consume loop.
        records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
        if self.rebalance.under_way or not still_assigned(message, records):
            return  # fetched before a rebalance: the partitions' owner reads them again
        with self.rebalance.applying():
            self.progress.batch_started()
            owned_while(lambda: not self.rebalance.under_way and still_assigned(message, records))
            try:
                await self._settle_batch(message, records)
            finally:
                self.progress.batch_ended()

    async def _settle_batch(
        self, message: KafkaMessage, records: tuple[ConsumerRecord[bytes, bytes], ...]
    ) -> None:
        try:
            await self.process(records)
        except Revoked:
            log.info("batch of %d records left to the partitions' next owner", len(records))
            await rewind(message)
            return
        except Exception:
            log.exception("batch of %d records failed; it will be delivered again", len(records))
            await rewind(message)
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
        self.progress.settled(message, records)

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
                log.info("skipped unknown event type %.100r at %s", exc.event_type, where(record))
            except Exception as exc:  # a record no check foresaw must not stop the others
                log.exception("could not decode %s", where(record))
                dead.append(DeadLetter(record, f"could not be decoded: {exc!r}"))
        dead.extend(await self._apply(valid))
        for letter in dead:
            spans.fail(letter.record, letter.reason)
            await self.dead_letters.send(letter)

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
        return await self._retrying.run(lambda: self._handler(events), "database")


async def _keep_raw(message: Any) -> None:
    """Skip FastStream's JSON decoding: the records are decoded against the contract here."""
    return None
