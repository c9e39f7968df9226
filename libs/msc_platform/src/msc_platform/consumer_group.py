"""How many members a consumer group has: a service migrating its stored data waits until
the previous release's instances, which cannot read the new format, have left it."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient


async def members_of(bootstrap_servers: str, group_id: str) -> int:
    """The members the broker counts in the group now (0 for a group it does not know)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        (described,) = await admin.describe_consumer_groups([group_id])
        groups = described.to_object()["groups"]
        return sum(len(group["members"]) for group in groups)
    finally:
        await admin.close()
