"""What the Kafka consumers count, per topic or consumer, on the service's `/metrics`."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


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
        self.dead_letters_minimal = Counter(
            "msc_dead_letters_minimal",
            "Dead letters refused whole (too large for the topic, ...) and sent as the "
            "record's coordinates and reason only.",
            ["topic"],
            registry=registry,
        )
        self.dead_letters_lost = Counter(
            "msc_dead_letters_lost",
            "Records that could not be dead-lettered at all (the topic missing or refusing "
            "even the coordinates): logged at ERROR with their coordinates and reason, and "
            "passed over so that the partition goes on.",
            ["topic"],
            registry=registry,
        )
        self.skipped = Counter(
            "msc_events_skipped_unknown_type",
            f"Events of an unknown type, skipped; the first {MAX_TYPE_LABELS} types seen have "
            "a label of their own, the rest count as `other`.",
            ["topic", "type"],
            registry=registry,
        )
        self._type_labels: set[str] = set()
        self.stalls = Counter(
            "msc_consumer_stalls",
            "Times a consumer with records waiting went `stall_after_s` without settling a batch.",
            ["consumer"],
            registry=registry,
        )
        self.stalled = Gauge(
            "msc_consumer_stalled",
            "1 while the consumer is stalled, else 0.",
            ["consumer"],
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

    def unknown_type(self, topic: str, event_type: str) -> None:
        """Count an event of an unknown type under a bounded set of labels."""
        if event_type not in self._type_labels and len(self._type_labels) < MAX_TYPE_LABELS:
            self._type_labels.add(event_type)
        label = event_type if event_type in self._type_labels else "other"
        self.skipped.labels(topic, label).inc()


MAX_TYPE_LABELS = 20
"""Distinct unknown event types with a metric label of their own."""
