"""The batch consumer's guarantees, without a broker: retry, dead-letter, skip, count."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo.errors import AutoReconnect, OperationFailure

from msc_platform.event_consumer import Applied, ConsumerMetrics, EventConsumer, Received


def record(
    offset: int, value: bytes | dict[str, Any], key: str = "c-1"
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
        headers=(),
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
    def __init__(self, handler: Any) -> None:
        self.broker = KafkaBroker("127.0.0.1:1")
        self.published: list[tuple[bytes, str, dict[str, str]]] = []

        async def publish(value: bytes, *, topic: str, key: bytes, headers: dict[str, str]) -> None:
            self.published.append((value, topic, headers))

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
        )

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
