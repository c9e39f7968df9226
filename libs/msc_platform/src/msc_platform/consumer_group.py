"""How many members a consumer group has: a service migrating its stored data waits until
the previous release's instances, which cannot read the new format, have left it."""

from __future__ import annotations

import asyncio
import logging

from aiokafka.admin import AIOKafkaAdminClient

log = logging.getLogger(__name__)


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


async def until_empty(bootstrap_servers: str, group_id: str, poll_s: float = 5.0) -> None:
    """Return once the group has no member, saying every `poll_s` what it waits for."""
    while members := await members_of(bootstrap_servers, group_id):
        log.warning(
            "waiting for the %d member(s) of consumer group %s (instances of the previous "
            "release) to stop before migrating the stored data; stop them (Helm: the chart "
            "recreates sla_svc on upgrade; by hand: kubectl scale --replicas=0)",
            members,
            group_id,
        )
        await asyncio.sleep(poll_s)
