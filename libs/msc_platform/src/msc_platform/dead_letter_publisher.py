"""Publishing dead letters so that none holds up a partition: the record cut to fit
(`dead_letters`), its coordinates alone if that is refused, an ERROR line and a counter if
even that is refused or the `.dlq` topic is missing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiokafka import ConsumerRecord
from aiokafka.errors import UnknownTopicOrPartitionError
from faststream.kafka import KafkaBroker

from msc_platform.consumer_metrics import ConsumerMetrics
from msc_platform.dead_letters import OutgoingLetter, fitted_dead_letter, minimal_dead_letter, where
from msc_platform.fencing import Revoked
from msc_platform.retry import Retrying
from msc_platform.topic_presence import TopicPresence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadLetter:
    """A record that cannot be applied, with the reason."""

    record: ConsumerRecord[bytes, bytes]
    reason: str


class TopicMissing(Exception):
    """The broker answers but has no such topic."""


class DeadLetterPublisher:
    """Publishes the dead letters of one consumer to `<topic>.dlq`."""

    def __init__(
        self,
        broker: KafkaBroker,
        *,
        topics: TopicPresence,
        retrying: Retrying,
        metrics: ConsumerMetrics,
        max_message_bytes: int,
    ) -> None:
        self._broker = broker
        self.topics = topics
        """The dead-letter topics the broker lacks (for `/readyz`)."""
        self._retrying = retrying
        self._metrics = metrics
        self._max_message_bytes = max_message_bytes

    async def send(self, letter: DeadLetter) -> None:
        """Publish the record's dead letter, cut to fit; if it is refused for good, its
        coordinates and reason alone; if that is refused too, an ERROR log line and
        `msc_dead_letters_lost_total`. A broker that does not answer is waited for."""
        record = letter.record
        log.warning(
            "dead-lettering %s: %.300s",
            where(record),
            letter.reason,
            extra={"customer_id": (record.key or b"-")[:128].decode("latin-1")},
        )
        refused = await self._publish(
            fitted_dead_letter(record, letter.reason, self._max_message_bytes)
        )
        if refused is None:
            self._metrics.dead_lettered.labels(record.topic).inc()
            return
        minimal = minimal_dead_letter(record, letter.reason, refused)
        refused_again = await self._publish(minimal)
        if refused_again is None:
            log.error(
                "dead letter of %s refused (%s); sent its coordinates only", where(record), refused
            )
            self._metrics.dead_lettered.labels(record.topic).inc()
            self._metrics.dead_letters_minimal.labels(record.topic).inc()
            return
        log.error(
            "dead letter of %s lost: %s; the record was refused because: %.300s",
            where(record),
            refused_again,
            letter.reason,
        )
        self._metrics.dead_letters_lost.labels(record.topic).inc()

    async def _publish(self, letter: OutgoingLetter) -> str | None:
        """None once `letter` is published, else why it cannot be (for good: a retry
        would meet the same answer). Transient broker errors are retried meanwhile."""
        if letter.topic in await self.topics.missing():
            return f"topic {letter.topic} does not exist"

        async def publish() -> None:
            try:
                await self._broker.publish(
                    letter.value, topic=letter.topic, key=letter.key, headers=letter.headers
                )
            except UnknownTopicOrPartitionError:
                # Also what a broker that does not answer gives: ask it.
                if await self.topics.confirmed_missing(letter.topic):
                    raise TopicMissing(letter.topic) from None
                raise

        try:
            await self._retrying.run(publish, "broker")
        except Revoked:
            raise
        except TopicMissing:
            return f"topic {letter.topic} does not exist"
        except Exception as exc:  # refused for good: too large, not authorized, a bug
            return repr(exc)[:300]
        return None
