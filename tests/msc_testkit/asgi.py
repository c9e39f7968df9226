"""A FastAPI app run in-process with its lifespan, and a client on it that calls as the
gateway does (with its service token)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from msc_testkit.credentials import service_auth


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (its Kafka and MongoDB connections); yield a client on it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://service", headers=service_auth()
        ) as client:
            yield client
