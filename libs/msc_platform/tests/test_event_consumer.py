"""The batch consumer's guarantees, without a broker: retry, dead-letter, skip, count."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from aiokafka.errors import (
    KafkaConnectionError,
    MessageSizeTooLargeError,
    TopicAuthorizationFailedError,
    UnknownTopicOrPartitionError,
)
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo.errors import AutoReconnect, OperationFailure

from msc_platform import event_consumer
from msc_platform.consumer_metrics import MAX_TYPE_LABELS, ConsumerMetrics
from msc_platform.event_consumer import Applied, EventConsumer, Received
from msc_platform.mongo import replace_by_id
from msc_platform.rebalance import SettleBeforeRevoke, Settling
from msc_platform.topic_presence import TopicPresence


def record(
    offset: int,
    value: bytes | dict[str, Any],
    key: str = "c-1",
    headers: tuple[tuple[str, bytes], ...] = (),
) -> ConsumerRecord[bytes, bytes]:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return ConsumerRecord(
        topic="backup.alerts",
        partition=2,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key.encode(),
        value=raw,
        checksum=None,
        serialized_key_size=len(key),
        serialized_value_size=len(raw),
        headers=headers,
    )


def cleared(alert_id: str, event_id: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "urn:test",
        "time": "2026-11-28T05:00:00Z",
        "type": "com.msc.alert.cleared.v1",
        "customerid": "c-1",
        "data": {"alert_id": alert_id},
    }


class Harness:
    def __init__(
        self, handler: Any, stall_after_s: float = 60.0, max_message_bytes: int = 1_048_576
    ) -> None:
        self.broker = KafkaBroker("127.0.0.1:1")
        self.published: list[tuple[bytes, str, dict[str, str]]] = []
        self.keys: list[bytes | None] = []
        self.topics = {"backup.alerts", "backup.alerts.dlq"}
        self.listings = 0

        async def publish(
            value: bytes, *, topic: str, key: bytes | None, headers: dict[str, str]
        ) -> None:
            self.published.append((value, topic, headers))
            self.keys.append(key)

        async def list_topics() -> set[str]:
            self.listings += 1
            return self.topics

        self.broker.publish = publish  # type: ignore[method-assign]
        self.registry = CollectorRegistry()
        self.consumer = EventConsumer(
            self.broker,
            name="alerts",
            topics=["backup.alerts"],
            group_id="g",
            handler=handler,
            metrics=ConsumerMetrics(self.registry),
            max_backoff_s=0.01,
            stall_after_s=stall_after_s,
            max_message_bytes=max_message_bytes,
        )
        self.consumer.dead_letters.topics = TopicPresence(list_topics, ["backup.alerts.dlq"])

    def metric(self, name: str, **labels: str) -> float:
        value = self.registry.get_sample_value(name, labels or {"consumer": "alerts"})
        return value or 0.0


async def test_transient_errors_are_retried_until_the_batch_applies() -> None:
    seen: list[list[str]] = []
    failures = [AutoReconnect("primary stepped down"), AutoReconnect("again")]

    async def handler(batch: Sequence[Received]) -> Applied:
        seen.append([r.event.id for r in batch])
        if failures:
            raise failures.pop(0)
        return Applied(applied=len(batch), duplicates=0)

    h = Harness(handler)
    await h.consumer.process([record(0, cleared("a1", "e1")), record(1, cleared("a2", "e2"))])
    assert seen == [["e1", "e2"]] * 3
    assert h.metric("msc_event_batch_retries_total") == 2
    assert h.metric("msc_events_applied_total") == 2
    assert h.published == []


async def test_an_event_the_handler_cannot_apply_is_dead_lettered_alone() -> None:
    async def handler(batch: Sequence[Received]) -> Applied:
        if any(r.event.data.alert_id == "poison" for r in batch):
            raise OperationFailure("cannot apply")
        return Applied(applied=len(batch), duplicates=0)

    h = Harness(handler)
    batch = [record(i, cleared("poison" if i == 2 else f"a{i}", f"e{i}")) for i in range(5)]
    await h.consumer.process(batch)
    assert [(json.loads(v)["id"], t) for v, t, _ in h.published] == [("e2", "backup.alerts.dlq")]
    headers = h.published[0][2]
    assert headers["x-original-offset"] == "2" and headers["x-original-partition"] == "2"
    assert "handler failed" in headers["x-dlq-reason"]
    assert h.metric("msc_events_applied_total") == 4


async def test_malformed_and_unknown_events() -> None:
    applied: list[str] = []

    async def handler(batch: Sequence[Received]) -> Applied:
        applied.extend(r.event.id for r in batch)
        return Applied(applied=len(batch), duplicates=0)

    h = Harness(handler)
    unknown = cleared("a1", "e-unknown") | {"type": "com.msc.alert.snoozed.v1"}
    await h.consumer.process(
        [
            record(0, b"\xff\xfe"),
            record(1, unknown),
            record(2, cleared("a1", "e-ok")),
            record(3, cleared("a1", "e-wrong-key"), key="c-2"),
        ]
    )
    assert applied == ["e-ok"]
    reasons = [headers["x-dlq-reason"] for _, _, headers in h.published]
    assert len(reasons) == 2 and "not valid JSON" in reasons[0] and "message key" in reasons[1]
    skipped = h.metric(
        "msc_events_skipped_unknown_type_total",
        topic="backup.alerts",
        type="com.msc.alert.snoozed.v1",
    )
    assert skipped == 1


@pytest.mark.parametrize("error", [ValueError("bug"), OperationFailure("bad")])
async def test_non_transient_errors_are_not_retried(error: Exception) -> None:
    calls = 0

    async def handler(batch: Sequence[Received]) -> Applied:
        nonlocal calls
        calls += 1
        raise error

    h = Harness(handler)
    await h.consumer.process([record(0, cleared("a1", "e1"))])
    assert calls == 1 and len(h.published) == 1


async def applied_all(batch: Sequence[Received]) -> Applied:
    return Applied(applied=len(batch), duplicates=0)


async def test_unknown_types_are_counted_under_a_bounded_set_of_labels() -> None:
    h = Harness(applied_all)
    unknown = [
        record(i, cleared("a1", f"e{i}") | {"type": f"com.example.t{i}.v1"}) for i in range(2000)
    ]
    await h.consumer.process(unknown)
    samples = [
        s
        for metric in h.registry.collect()
        if metric.name == "msc_events_skipped_unknown_type"
        for s in metric.samples
        if s.name.endswith("_total")
    ]
    assert len(samples) == MAX_TYPE_LABELS + 1
    assert sum(s.value for s in samples) == 2000
    assert h.metric("msc_events_skipped_unknown_type_total", topic="backup.alerts", type="other")


async def test_a_record_too_large_to_dead_letter_whole_is_cut_and_marked() -> None:
    h = Harness(applied_all)
    huge = b"x" * 3_000_000
    await h.consumer.process([record(0, huge)])
    ((value, topic, headers),) = h.published
    assert topic == "backup.alerts.dlq" and huge.startswith(value)
    assert fits(value, h.keys[0], headers, 1_048_576)
    assert headers["x-dlq-truncated"] == f"{len(huge)} bytes cut to {len(value)}"
    assert "x-dlq-key-truncated" not in headers and h.keys == [b"c-1"]


async def test_a_huge_key_is_cut_with_the_value_so_the_dead_letter_fits_the_limit() -> None:
    h = Harness(applied_all, max_message_bytes=10_000)
    key = "k" * 600_000
    value = json.dumps(cleared("a1", "e1") | {"customerid": key}).encode()
    await h.consumer.process([record(0, value, key=key)])
    ((sent, _, headers),) = h.published
    (sent_key,) = h.keys
    assert sent_key == key.encode()[:1024] and value.startswith(sent)
    assert headers["x-dlq-key-truncated"] == "600000 bytes cut to 1024"
    assert headers["x-dlq-truncated"] == f"{len(value)} bytes cut to {len(sent)}"
    assert fits(sent, sent_key, headers, 10_000)
    assert len(sent) > 5_000  # as much of the value as the limit leaves room for


async def test_a_record_that_fits_whole_is_dead_lettered_whole() -> None:
    h = Harness(applied_all, max_message_bytes=10_000)
    await h.consumer.process([record(0, b"x" * 7_000)])
    ((value, _, headers),) = h.published
    assert value == b"x" * 7_000 and not any("truncated" in name for name in headers)


def fits(value: bytes, key: bytes | None, headers: dict[str, str], limit: int) -> bool:
    """The dead letter fits the limit with room for what FastStream adds to it."""
    added = {"content-type": "application/octet-stream", "correlation_id": "x" * 36}
    encoded = [(k, v.encode()) for k, v in (headers | added).items()]
    return DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, encoded) <= limit


async def test_a_dead_letter_refused_whole_goes_as_its_coordinates_and_reason() -> None:
    h = Harness(applied_all)
    sent = h.broker.publish

    async def topic_limit_smaller(value: bytes, **kwargs: Any) -> None:
        if len(value) > 1000:
            raise MessageSizeTooLargeError("the topic is smaller")
        await sent(value, **kwargs)

    h.broker.publish = topic_limit_smaller  # type: ignore[method-assign]
    await h.consumer.process([record(7, b"x" * 50_000)])
    ((value, topic, headers),) = h.published
    assert value == b"" and h.keys == [None] and topic == "backup.alerts.dlq"
    assert headers["x-original-offset"] == "7" and "not valid JSON" in headers["x-dlq-reason"]
    assert "MessageSizeTooLargeError" in headers["x-dlq-minimal"]
    assert headers["x-original-value-bytes"] == "50000"
    assert h.metric("msc_dead_letters_minimal_total", topic="backup.alerts") == 1
    assert h.metric("msc_events_dead_lettered_total", topic="backup.alerts") == 1


async def test_a_dead_letter_refused_even_as_coordinates_is_logged_counted_and_passed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempts = 0

    async def not_authorized(value: bytes, **kwargs: Any) -> None:
        nonlocal attempts
        attempts += 1
        raise TopicAuthorizationFailedError("backup.alerts.dlq")

    applied: list[str] = []

    async def handler(batch: Sequence[Received]) -> Applied:
        applied.extend(r.event.id for r in batch)
        return Applied(applied=len(batch), duplicates=0)

    h = Harness(handler)
    h.broker.publish = not_authorized  # type: ignore[method-assign]
    await h.consumer.process([record(3, b"{oops"), record(4, cleared("a", "e-next"))])
    assert attempts == 2 and applied == ["e-next"]
    assert h.metric("msc_dead_letters_lost_total", topic="backup.alerts") == 1
    assert h.metric("msc_events_dead_lettered_total", topic="backup.alerts") == 0
    (lost,) = [r for r in caplog.records if "lost" in r.getMessage()]
    assert lost.levelname == "ERROR" and "backup.alerts[2]@3" in lost.getMessage()
    assert "not valid JSON" in lost.getMessage()


async def test_a_missing_dead_letter_topic_does_not_stall_and_is_asked_for_once() -> None:
    h = Harness(applied_all)
    h.topics = {"backup.alerts"}
    await h.consumer.process([record(i, b"{oops") for i in range(50)])
    assert h.published == [] and h.listings == 1
    assert h.metric("msc_dead_letters_lost_total", topic="backup.alerts") == 50
    with pytest.raises(RuntimeError, match=r"backup\.alerts\.dlq"):
        await h.consumer.dead_letter_topics.probe()
    assert h.listings == 1  # the probe used the listing the dead letters made


async def test_a_topic_that_disappears_under_a_publish_is_asked_for_not_waited_for() -> None:
    h = Harness(applied_all)
    await h.consumer.dead_letter_topics.missing()  # listed while the topic was there

    async def unknown_topic(value: bytes, **kwargs: Any) -> None:
        raise UnknownTopicOrPartitionError()

    h.broker.publish = unknown_topic  # type: ignore[method-assign]
    h.topics = {"backup.alerts"}
    await asyncio.wait_for(h.consumer.process([record(0, b"{oops")]), timeout=5)
    assert h.metric("msc_dead_letters_lost_total", topic="backup.alerts") == 1


async def test_an_unknown_topic_from_a_broker_that_does_not_answer_is_waited_for() -> None:
    h = Harness(applied_all)
    sent = h.broker.publish
    failures = 3

    async def broker_away(value: bytes, **kwargs: Any) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise UnknownTopicOrPartitionError()
        await sent(value, **kwargs)

    async def no_answer() -> set[str]:
        raise KafkaConnectionError("no broker")

    h.broker.publish = broker_away  # type: ignore[method-assign]
    h.consumer.dead_letters.topics = TopicPresence(no_answer, ["backup.alerts.dlq"])
    await h.consumer.process([record(0, b"{oops")])
    assert len(h.published) == 1 and failures == 0
    assert h.metric("msc_dead_letters_lost_total", topic="backup.alerts") == 0


async def test_topics_are_listed_at_most_once_per_refresh_whatever_the_probes() -> None:
    listings = 0
    existing = {"a.dlq"}

    async def list_topics() -> set[str]:
        nonlocal listings
        listings += 1
        return existing

    presence = TopicPresence(list_topics, ["a.dlq", "b.dlq"], refresh_s=0.2)
    for _ in range(20):
        with pytest.raises(RuntimeError, match=r"b\.dlq"):
            await presence.probe()
    assert listings == 1
    existing.add("b.dlq")
    await asyncio.sleep(0.25)
    await presence.probe()
    assert listings == 2


async def test_a_dead_letter_stays_in_its_records_trace_and_drops_what_is_no_trace() -> None:
    traceparent = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    h = Harness(applied_all)
    await h.consumer.process(
        [
            record(0, b"not json", headers=(("traceparent", traceparent), ("x-other", b"1"))),
            record(1, b"not json", headers=(("traceparent", b"0" * 100_000),)),
        ]
    )
    (_, _, kept), (_, _, dropped) = h.published
    assert kept["traceparent"] == traceparent.decode() and "x-other" not in kept
    assert "traceparent" not in dropped


async def test_a_record_that_breaks_the_decoder_is_dead_lettered_and_the_rest_applied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []

    async def handler(batch: Sequence[Received]) -> Applied:
        seen.extend(r.event.id for r in batch)
        return Applied(applied=len(batch), duplicates=0)

    real = event_consumer.decode_event

    def decode(value: bytes, key: bytes | None, topic: str) -> Any:
        if b"boom" in value:
            raise RuntimeError("a bug in a validator")
        return real(value, key, topic)

    monkeypatch.setattr(event_consumer, "decode_event", decode)
    h = Harness(handler)
    await h.consumer.process([record(0, cleared("boom", "e0")), record(1, cleared("a", "e1"))])
    assert seen == ["e1"]
    assert "a bug in a validator" in h.published[0][2]["x-dlq-reason"]


async def test_dead_lettering_waits_out_a_broker_that_does_not_answer() -> None:
    h = Harness(applied_all)
    sent = h.broker.publish
    failures = [KafkaConnectionError("broker down"), KafkaConnectionError("still down")]

    async def flaky(value: bytes, **kwargs: Any) -> None:
        if failures:
            raise failures.pop(0)
        await sent(value, **kwargs)

    h.broker.publish = flaky  # type: ignore[method-assign]
    await h.consumer.process([record(0, b"{not json")])
    assert len(h.published) == 1 and failures == []


class Batch:
    """What FastStream hands the consumer: the records, ack and nack."""

    def __init__(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        self.raw_message = tuple(records)
        self.acked = self.nacked = False

    async def ack(self) -> None:
        self.acked = True

    async def nack(self) -> None:
        self.nacked = True


async def test_a_consumer_stuck_on_a_batch_is_stalled_and_says_so() -> None:
    release = asyncio.Event()

    async def handler(batch: Sequence[Received]) -> Applied:
        await release.wait()
        return Applied(applied=len(batch), duplicates=0)

    h = Harness(handler, stall_after_s=0.05)
    await h.consumer.probe()
    task = asyncio.create_task(h.consumer._on_batch(Batch([record(0, cleared("a", "e"))])))
    await asyncio.sleep(0.1)
    with pytest.raises(RuntimeError, match="settled no batch"):
        await h.consumer.probe()
    assert h.metric("msc_consumer_stalls_total") == 1
    assert h.metric("msc_consumer_stalled") == 1
    release.set()
    await task
    await h.consumer.probe()
    assert h.metric("msc_consumer_stalled") == 0


async def test_a_rebalance_waits_for_the_batch_and_a_retrying_batch_gives_way() -> None:
    async def handler(batch: Sequence[Received]) -> Applied:
        if any(r.event.id == "e" for r in batch):
            raise AutoReconnect("database down")
        return Applied(applied=len(batch), duplicates=0)

    h = Harness(handler)
    batch = Batch([record(0, cleared("a", "e"))])
    task = asyncio.create_task(h.consumer._on_batch(batch))
    await asyncio.sleep(0.05)
    assert not task.done()
    await asyncio.wait_for(h.consumer.rebalance.settle(), timeout=5)
    assert task.done() and batch.nacked and not batch.acked
    assert h.published == []  # left for the next owner, not dead-lettered
    fetched_before = Batch([record(1, cleared("b", "f"))])
    await h.consumer._on_batch(fetched_before)  # while the group reassigns: left alone
    assert not fetched_before.acked and not fetched_before.nacked
    h.consumer.rebalance.resume()  # the new assignment
    await h.consumer._on_batch(fetched_before)
    assert fetched_before.acked


async def test_a_batch_fetched_before_a_rebalance_is_left_to_the_partitions_owner() -> None:
    calls = 0

    async def handler(batch: Sequence[Received]) -> Applied:
        nonlocal calls
        calls += 1
        return Applied(applied=len(batch), duplicates=0)

    h = Harness(handler)
    batch = Batch([record(0, cleared("a", "e"))])
    batch.consumer = type("Consumer", (), {"assignment": lambda self: set()})()  # type: ignore[attr-defined]
    await h.consumer._on_batch(batch)
    assert calls == 0 and not batch.acked


class CommandLog:
    """A collection that records the write commands sent to it (`msc_platform.mongo`)."""

    def __init__(self) -> None:
        self.name = "states"
        self.database = self
        self.commands: list[dict[str, Any]] = []

    async def command(self, command: dict[str, Any]) -> dict[str, Any]:
        self.commands.append(command)
        return {"ok": 1}


async def test_a_member_giving_up_its_partitions_writes_no_more_of_the_batch() -> None:
    """Evicted or rebalanced half-way through a save, a member stops at its next write
    command (the new owner applies the batch): nothing more is written, nothing is
    dead-lettered, the batch is left uncommitted."""
    writes = CommandLog()
    first_written = asyncio.Event()
    carry_on = asyncio.Event()

    async def handler(batch: Sequence[Received]) -> Applied:
        await replace_by_id(writes, [{"_id": "a", "n": 1}])  # type: ignore[arg-type]
        first_written.set()
        await carry_on.wait()
        await replace_by_id(writes, [{"_id": "b", "n": 2}])  # type: ignore[arg-type]
        return Applied(applied=len(batch), duplicates=0)

    h = Harness(handler)
    batch = Batch([record(0, cleared("a", "e1")), record(1, cleared("b", "e2"))])
    task = asyncio.create_task(h.consumer._on_batch(batch))
    await first_written.wait()
    settling = asyncio.create_task(h.consumer.rebalance.settle())  # the group takes the partitions
    await asyncio.sleep(0)
    carry_on.set()
    await asyncio.wait_for(settling, timeout=5)
    await task
    assert [c["updates"][0]["q"] for c in writes.commands] == [{"_id": "a"}]
    assert batch.nacked and not batch.acked
    assert h.published == []
    assert h.metric("msc_events_applied_total") == 0


async def test_a_revocation_is_told_once_the_batch_under_way_is_settled() -> None:
    settling, told = Settling(), []
    listener = SettleBeforeRevoke(settling, lambda: told.append(settling.under_way))
    with settling.applying():
        revoking = asyncio.create_task(listener.on_partitions_revoked(set()))
        await asyncio.sleep(0.01)
        assert told == []  # the batch is still being applied
    await revoking
    assert told == [True]
