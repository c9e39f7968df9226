"""A FastAPI app run in-process with its lifespan, and a client on it that calls as the
gateway does (with its service token)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from msc_testkit.credentials import service_auth


@asynccontextmanager
async def running(app: FastAPI, ready_within_s: float = 30.0) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (its Kafka and MongoDB connections); once its `/readyz`
    answers 200, as an orchestrator would wait, yield a client on it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://service", headers=service_auth()
        ) as client:
            deadline = time.monotonic() + ready_within_s
            while (ready := await client.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, (
                    f"not ready within {ready_within_s} s: {ready.text}"
                )
                await asyncio.sleep(0.05)
            yield client
