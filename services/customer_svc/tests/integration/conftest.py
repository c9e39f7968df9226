"""customer_svc in-process on the real Kafka and MongoDB-wire server of the session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from conftest import Endpoints
from customer_svc.config import Settings
from customer_svc.main import create_app


def settings_for(infrastructure: Endpoints, database: str | None = None) -> Settings:
    """Settings on the test infrastructure with a database and group of their own."""
    return Settings(
        kafka_bootstrap_servers=infrastructure.kafka,
        mongodb_url=infrastructure.mongodb,
        mongodb_database=database or f"it_customers_{uuid.uuid4().hex[:8]}",
        consumer_group=f"it-customer-{uuid.uuid4().hex[:8]}",
    )


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, and a client on it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://customer-svc") as client:
            yield client


@pytest.fixture
async def api(infrastructure: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a fresh customer_svc."""
    async with running(create_app(settings_for(infrastructure))) as client:
        yield client
