"""Rebalance settling: a member gives up its partitions only once the batch it is applying
is settled, and starts no batch while the group reassigns, so that the partitions' next
owner never writes beside it (one writer per customer, with `CoPartitionAssignor`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import IllegalStateError, KafkaError

log = logging.getLogger(__name__)


class Settling:
    """Whether a rebalance is under way, and whether a batch is being applied."""

    def __init__(self) -> None:
        self._settled = asyncio.Event()
        self._settled.set()
        self.under_way = False
        """True from the revocation of the partitions to their new assignment."""

    @contextmanager
    def applying(self) -> Iterator[None]:
        """A batch is being applied: a rebalance waits for the end of this block."""
        self._settled.clear()
        try:
            yield
        finally:
            self._settled.set()

    async def settle(self) -> None:
        """A rebalance begins: return once no batch is being applied. The batch under way
        gives up at its next retry, unsettled, for the partitions' next owner to apply, and
        no batch starts until `resume` (the new assignment)."""
        self.under_way = True
        await self._settled.wait()

    def resume(self) -> None:
        """The rebalance has ended: batches of the new assignment may be applied."""
        self.under_way = False


class SettleBeforeRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Holds a rebalance until the batch under way is settled, then tells `revoked` (a
    memory of what the partitions held is no longer this member's to trust)."""

    def __init__(self, settling: Settling, revoked: Callable[[], None] = lambda: None) -> None:
        self._settling = settling
        self._revoked = revoked

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._settling.settle()
        self._revoked()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._settling.resume()


def still_assigned(message: Any, records: Sequence[ConsumerRecord[bytes, bytes]]) -> bool:
    """True while every partition of the batch is still assigned to this member."""
    consumer = getattr(message, "consumer", None)
    if consumer is None or not hasattr(consumer, "assignment"):
        return True
    assigned = consumer.assignment()
    return all(TopicPartition(r.topic, r.partition) in assigned for r in records)


async def rewind(message: Any) -> None:
    """Seek each partition of the batch back to its first record; partitions no longer
    assigned are read from their last commit by their next owner anyway."""
    try:
        await message.nack()
    except (IllegalStateError, KafkaError, AssertionError) as exc:
        log.info("could not rewind the batch (%r); its partitions were reassigned", exc)
