"""Kafka helpers for tests: publish as an agent would, read what a service published."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.partitioner import murmur2


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner (Java's and aiokafka's) gives a key."""
    hashed: int = murmur2(key)
    return (hashed & 0x7FFFFFFF) % partitions


async def publish(
    bootstrap: str, topic: str, events: list[dict[str, Any] | bytes], key: str | None = None
) -> None:
    """Send events (dicts as JSON, bytes as they are) keyed by their `customerid`."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            value = event if isinstance(event, bytes) else json.dumps(event).encode()
            event_key = (
                key
                if key is not None
                else (event.get("customerid") if isinstance(event, dict) else None)
            )
            await producer.send_and_wait(
                topic, value, key=event_key.encode() if event_key else None
            )
    finally:
        await producer.stop()


async def read_all(
    bootstrap: str, topic: str, key: str | None = None, settle_s: float = 3.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of `topic` (with that key, if given), read until nothing new for `settle_s`."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"test-reader-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=int(settle_s * 1000))
            if not batch:
                break
            for partition_records in batch.values():
                records += [r for r in partition_records if key is None or r.key == key.encode()]
    finally:
        await consumer.stop()
    return records


async def eventually(check: Any, timeout_s: float = 30.0, interval_s: float = 0.3) -> Any:
    """Await `check()` until it returns something truthy; fail with the last result."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s; last: {result!r}")
        await asyncio.sleep(interval_s)
