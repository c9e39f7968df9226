"""How well a consumer keeps up: the lag of each partition after a batch, and whether it is
stalled (records waiting and no batch settled for `stall_after_s`), for `/readyz` and
`msc_consumer_stalls`."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition

from msc_platform.consumer_metrics import ConsumerMetrics

log = logging.getLogger(__name__)


class ConsumerProgress:
    """The progress of one consumer, kept as its batches start and settle."""

    def __init__(self, name: str, metrics: ConsumerMetrics, stall_after_s: float) -> None:
        self._name = name
        self._metrics = metrics
        self._stall_after_s = stall_after_s
        self._batch_since: float | None = None
        self._progress_at = time.monotonic()
        self._waiting = False
        self._was_stalled = False
        metrics.stalled.labels(name).set_function(lambda: float(self.stalled_for() is not None))

    def batch_started(self) -> None:
        """A batch is being applied from now."""
        self._batch_since = time.monotonic()

    def batch_ended(self) -> None:
        """The batch under way is over, settled or left for another attempt."""
        self._batch_since = None

    def settled(self, message: Any, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """The batch is committed: progress, and the lag of each of its partitions (its
        end offset minus the next offset to read).

        Only synchronous reads of the consumer: awaiting `position()` here could wait on
        a rebalance and stall the consume loop.
        """
        self._progress_at = time.monotonic()
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
