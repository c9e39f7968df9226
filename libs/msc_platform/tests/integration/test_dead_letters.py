"""Dead-lettering on the real broker: no record stalls its partition, whatever its size and
whatever the dead-letter topic (too small, missing). Each test makes its own topics with a
10 KB `max.message.bytes` and deletes them after."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from prometheus_client import CollectorRegistry

from msc_contracts.topics import dead_letter_topic
from msc_platform.consumer_metrics import ConsumerMetrics
from msc_platform.event_consumer import Applied, EventConsumer, Received, kafka_broker
from msc_platform.settings import InfrastructureSettings
from msc_platform.topics import TopicsRefused, create_topics
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually, publish, read_all

LIMIT = 10_000
"""The test topics' max.message.bytes and the consumer's KAFKA_MAX_MESSAGE_BYTES."""


@dataclass
class Topics:
    source: str
    dlq: str


@pytest.fixture
async def topics(infrastructure: Endpoints) -> AsyncIterator[Topics]:
    source = f"test-dl-{uuid.uuid4().hex[:12]}"
    made = Topics(source, dead_letter_topic(source))
    yield made
    admin = AIOKafkaAdminClient(bootstrap_servers=infrastructure.kafka)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        await admin.delete_topics([t for t in (made.source, made.dlq) if t in existing])
    finally:
        await admin.close()


async def make(infrastructure: Endpoints, *names: str, max_message_bytes: int = LIMIT) -> None:
    created = await create_topics(
        infrastructure.kafka, partitions=1, max_message_bytes=max_message_bytes, topics=names
    )
    assert created == list(names)


class Consumer:
    """An EventConsumer of one test topic on the real broker, with its own group."""

    def __init__(self, infrastructure: Endpoints, topic: str) -> None:
        settings = InfrastructureSettings(
            kafka_bootstrap_servers=infrastructure.kafka,
            kafka_max_message_bytes=LIMIT,
            dev_mode=True,
        )
        self.bootstrap = infrastructure.kafka
        self.topic = topic
        self.group = f"test-dl-{uuid.uuid4().hex}"
        self.registry = CollectorRegistry()
        self.broker = kafka_broker(settings)
        self.consumer = EventConsumer(
            self.broker,
            name="test",
            topics=[topic],
            group_id=self.group,
            handler=self.handle,
            metrics=ConsumerMetrics(self.registry),
            max_backoff_s=0.2,
            max_message_bytes=settings.kafka_max_message_bytes,
        )

    async def handle(self, batch: Sequence[Received]) -> Applied:
        return Applied(applied=len(batch), duplicates=0)

    async def committed(self) -> int:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(self.group)
        finally:
            await admin.close()
        position = offsets.get(TopicPartition(self.topic, 0))
        return position.offset if position is not None else -1

    def metric(self, name: str) -> float:
        return self.registry.get_sample_value(name, {"topic": self.topic}) or 0.0


@pytest.fixture
async def running(infrastructure: Endpoints, topics: Topics) -> AsyncIterator[Consumer]:
    consumer = Consumer(infrastructure, topics.source)
    yield consumer
    await consumer.broker.stop()


def near_the_limit_key() -> str:
    """A key that leaves a record within a few hundred bytes of the topic's limit."""
    return "k" * (LIMIT - 200)


async def test_a_record_near_the_limit_is_dead_lettered_cut_and_the_partition_goes_on(
    infrastructure: Endpoints, topics: Topics, running: Consumer
) -> None:
    await make(infrastructure, topics.source, topics.dlq)
    key = near_the_limit_key()
    await publish(infrastructure.kafka, topics.source, [b'{"id": "x"}'], key=key)
    await publish(infrastructure.kafka, topics.source, [b"{oops"], key="after")
    await running.broker.start()

    assert await eventually(lambda: committed_past(running, 2), timeout_s=60)
    first, second = await read_all(infrastructure.kafka, topics.dlq, settle_s=1)
    assert first.key == key.encode()[:1024] and _header(first, "x-original-offset") == "0"
    assert _header(first, "x-dlq-key-truncated") == f"{len(key)} bytes cut to 1024"
    assert first.value == b'{"id": "x"}' and _header(second, "x-original-offset") == "1"
    assert second.key == b"after" and second.value == b"{oops"
    assert running.metric("msc_events_dead_lettered_total") == 2
    assert running.metric("msc_dead_letters_lost_total") == 0
    await running.consumer.dead_letter_topics.probe()  # the topic is there: ready


async def test_a_dead_letter_topic_smaller_than_the_setting_gets_the_coordinates(
    infrastructure: Endpoints, topics: Topics, running: Consumer
) -> None:
    await make(infrastructure, topics.source)
    await make(infrastructure, topics.dlq, max_message_bytes=4096)
    await publish(infrastructure.kafka, topics.source, [b"{" * 9_000], key="c-1")
    await publish(infrastructure.kafka, topics.source, [b"{oops"], key="after")
    await running.broker.start()

    assert await eventually(lambda: committed_past(running, 2), timeout_s=60)
    minimal, whole = await read_all(infrastructure.kafka, topics.dlq, settle_s=1)
    assert minimal.key is None and minimal.value == b""
    assert _header(minimal, "x-original-offset") == "0"
    assert _header(minimal, "x-original-value-bytes") == "9000"
    assert "MessageSizeTooLarge" in _header(minimal, "x-dlq-minimal")
    assert "not valid JSON" in _header(minimal, "x-dlq-reason")
    assert whole.value == b"{oops"
    assert running.metric("msc_dead_letters_minimal_total") == 1


async def test_a_missing_dead_letter_topic_does_not_stall_and_readyz_names_it(
    infrastructure: Endpoints, topics: Topics, running: Consumer, caplog: pytest.LogCaptureFixture
) -> None:
    await make(infrastructure, topics.source)
    poison = [b"{oops"] * 20 + [b"k" * 5_000]
    await publish(infrastructure.kafka, topics.source, list(poison), key="c-1")
    await running.broker.start()

    assert await eventually(lambda: committed_past(running, len(poison)), timeout_s=30)
    assert running.metric("msc_dead_letters_lost_total") == len(poison)
    with pytest.raises(RuntimeError, match=topics.dlq):
        await running.consumer.dead_letter_topics.probe()
    lost = [r for r in caplog.records if "lost" in r.getMessage() and r.levelname == "ERROR"]
    assert f"{topics.source}[0]@20" in lost[-1].getMessage()


async def committed_past(consumer: Consumer, offset: int) -> bool:
    await asyncio.sleep(0.2)
    return await consumer.committed() >= offset


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str:
    return next(v.decode() for k, v in record.headers if k == name)


async def test_topics_are_created_with_the_limit_dead_letters_are_cut_to(
    infrastructure: Endpoints, topics: Topics
) -> None:
    await make(infrastructure, topics.source, topics.dlq)
    admin = AIOKafkaAdminClient(bootstrap_servers=infrastructure.kafka)
    await admin.start()
    try:
        (described,) = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topics.dlq)]
        )
    finally:
        await admin.close()
    (resource,) = described.to_object()["resources"]
    values = {e["config_names"]: e["config_value"] for e in resource["config_entries"]}
    assert values["max.message.bytes"] == str(LIMIT), resource


async def test_topics_the_broker_refuses_to_create_fail_the_creation(
    infrastructure: Endpoints,
) -> None:
    """The broker answers a refusal per topic instead of raising (here, a replication
    factor above its one broker): the topics Job fails instead of saying all is there."""
    name = f"it-refused-{uuid.uuid4().hex[:8]}"
    with pytest.raises(TopicsRefused, match=f"{name}: .*replication factor"):
        await create_topics(
            infrastructure.kafka, 1, topics=[name], replication_factor=3, max_message_bytes=LIMIT
        )
