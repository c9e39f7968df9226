"""Readiness probes of the MongoDB and Kafka connections a service holds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

log = logging.getLogger(__name__)
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


async def shut_down(steps: dict[str, Callable[[], Awaitable[object]]], each_s: float = 8.0) -> None:
    """Run shutdown steps in order, each bounded: a stuck client never holds up the exit."""
    for name, step in steps.items():
        try:
            await asyncio.wait_for(step(), each_s)
        except TimeoutError:
            log.warning("shutdown: %s did not finish within %.0f s; going on", name, each_s)
        except Exception:
            log.exception("shutdown: %s failed; going on", name)
