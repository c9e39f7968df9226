"""Readiness probes of the MongoDB and Kafka connections a service holds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

Probe = Callable[[], Awaitable[None]]


def mongo_probe(client: AsyncMongoClient[Any]) -> Probe:
    """A probe that pings the database."""

    async def probe() -> None:
        await client.admin.command("ping")

    return probe


def kafka_probe(broker: KafkaBroker) -> Probe:
    """A probe that asks the broker for cluster metadata."""

    async def probe() -> None:
        if not await broker.ping(timeout=2.0):
            raise ConnectionError("Kafka broker does not answer")

    return probe


async def check_all(probes: dict[str, Probe], timeout_s: float = 3.0) -> dict[str, str]:
    """Run every probe concurrently; the result maps each name to `ok` or the error."""

    async def run(probe: Probe) -> str:
        try:
            await asyncio.wait_for(probe(), timeout_s)
        except Exception as exc:
            return f"failed: {exc!r}"
        return "ok"

    results = await asyncio.gather(*(run(p) for p in probes.values()))
    return dict(zip(probes, results, strict=True))
