"""How far a consumer group has got: its committed offsets, asked of the broker.

A group that commits a record only once it is stored (`EventConsumer`) has stored every
record below its committed offset; a reader of what the group writes waits on that before
it reads the database, instead of guessing with a delay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


class GroupProgress:
    """The committed offsets of one consumer group, through one admin client opened when
    first needed."""

    def __init__(self, bootstrap_servers: str, group: str, poll_s: float = 0.25) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._group = group
        self._poll_s = poll_s
        self._admin: AIOKafkaAdminClient | None = None
        self._coordinator: int | None = None
        """The broker coordinating the group, found once (again after a failure)."""

    async def passed(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Return once the group has committed each partition at least to its offset in
        `offsets`, asking every `poll_s`; waits as long as the group is behind."""
        try:
            await self._wait(offsets)
        except BaseException:
            self._coordinator = None  # it may have moved
            raise

    async def _wait(self, offsets: Mapping[TopicPartition, int]) -> None:
        if self._admin is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap_servers)
            await admin.start()
            self._admin = admin
        if self._coordinator is None:
            self._coordinator = await self._admin.find_coordinator(self._group)
        waiting = dict(offsets)
        while True:
            committed = await self._admin.list_consumer_group_offsets(
                self._group, self._coordinator, partitions=list(waiting)
            )
            waiting = {
                tp: offset
                for tp, offset in waiting.items()
                if tp not in committed or committed[tp].offset < offset
            }
            if not waiting:
                return
            await asyncio.sleep(self._poll_s)

    async def close(self) -> None:
        """Close the admin client."""
        if self._admin is not None:
            await self._admin.close()
            self._admin = None
