"""Create the contract's topics and their dead-letter topics; wait for the broker first.

`python -m msc_platform.topics` is run by `make run` (deploy/local/infra.sh) and by the Helm
chart's hook Job before the services start or upgrade. Every topic is created with
`max.message.bytes` = `KAFKA_MAX_MESSAGE_BYTES`, the limit the services' dead letters are
cut to fit; topics that exist already are left as they are.
"""

from __future__ import annotations

import asyncio
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, RequestTimedOutError, TopicAlreadyExistsError
from pydantic import AliasChoices, Field

from msc_contracts.topics import ALL_TOPICS, dead_letter_topic
from msc_platform.settings import DEFAULT_MAX_MESSAGE_BYTES, KafkaSettings

SYSTEM_TOPICS = tuple(t for topic in ALL_TOPICS for t in (topic, dead_letter_topic(topic)))
"""Every topic the system reads or writes."""


class TopicSettings(KafkaSettings):
    """What the topic creation reads besides Kafka's address and limit."""

    partitions: int = Field(
        default=6,
        ge=1,
        validation_alias=AliasChoices("MSC_TOPIC_PARTITIONS"),
        description="Partitions of each topic created; sla_svc never scales past it.",
    )
    replication_factor: int = Field(
        default=1,
        ge=1,
        validation_alias=AliasChoices("MSC_TOPIC_REPLICATION_FACTOR"),
        description="Replicas of each topic created (at most the number of brokers).",
    )


async def create_topics(
    bootstrap: str,
    partitions: int,
    timeout_s: float = 90.0,
    *,
    replication_factor: int = 1,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    topics: tuple[str, ...] = SYSTEM_TOPICS,
) -> list[str]:
    """Create every missing topic of `topics`; return the names created."""
    deadline = time.monotonic() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            break
        except KafkaConnectionError:
            await admin.close()
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
    try:
        missing = [t for t in topics if t not in existing]
        if missing:
            configs = {"max.message.bytes": str(max_message_bytes)}
            answer = await admin.create_topics(
                [
                    NewTopic(t, partitions, replication_factor, topic_configs=configs)
                    for t in missing
                ]
            )
            # The broker answers per topic rather than raising: one another instance
            # created meanwhile is fine, one still being created is waited for below,
            # any other refusal is not.
            refused = [
                f"{e['topic']}: {e.get('error_message') or ''} (code {e['error_code']})"
                for e in answer.to_object()["topic_errors"]
                if e["error_code"]
                not in (0, TopicAlreadyExistsError.errno, RequestTimedOutError.errno)
            ]
            if refused:
                raise TopicsRefused("the broker refused to create " + "; ".join(refused))
            await _until_listed(admin, topics)
        return missing
    finally:
        await admin.close()


NOT_REFUSED = (0, TopicAlreadyExistsError.errno, RequestTimedOutError.errno)
"""Created; created by another instance meanwhile; still being created (waited for)."""


async def _until_listed(admin: AIOKafkaAdminClient, topics: tuple[str, ...]) -> None:
    """Return once the broker lists every topic (creation completes in the background)."""
    deadline = time.monotonic() + LISTED_WITHIN_S
    while still := [t for t in topics if t not in set(await admin.list_topics())]:
        if time.monotonic() > deadline:
            raise TopicsRefused(f"created, yet not listed within {LISTED_WITHIN_S:.0f} s: {still}")
        await asyncio.sleep(0.2)


LISTED_WITHIN_S = 30.0


class TopicsRefused(RuntimeError):
    """The broker did not create every topic asked for (replication factor above its
    brokers, a policy, no authorization)."""


def main() -> int:
    """Entry point of `make run` and of the Helm chart's topics Job."""
    settings = TopicSettings()
    created = asyncio.run(
        create_topics(
            settings.kafka_bootstrap_servers,
            settings.partitions,
            replication_factor=settings.replication_factor,
            max_message_bytes=settings.kafka_max_message_bytes,
        )
    )
    print(
        f"[topics] {len(created)} created ({settings.partitions} partitions, "
        f"max.message.bytes {settings.kafka_max_message_bytes}), all {len(SYSTEM_TOPICS)} present"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
