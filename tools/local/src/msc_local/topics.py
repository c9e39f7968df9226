"""Create the contract's topics and their dead-letter topics; wait for the broker first."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from msc_contracts.topics import ALL_TOPICS, dead_letter_topic


async def create_topics(bootstrap: str, partitions: int, timeout_s: float = 90.0) -> list[str]:
    """Create every missing topic; return the names created."""
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
        wanted = [t for topic in ALL_TOPICS for t in (topic, dead_letter_topic(topic))]
        missing = [t for t in wanted if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
        return missing
    finally:
        await admin.close()


def main() -> int:
    """Entry point used by deploy/local/infra.sh."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    partitions = int(os.environ.get("MSC_TOPIC_PARTITIONS", "6"))
    created = asyncio.run(create_topics(bootstrap, partitions))
    print(f"[infra] topics: {len(created)} created ({partitions} partitions each), all present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
