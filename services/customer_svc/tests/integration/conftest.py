"""customer_svc in-process on the real Kafka and MongoDB-wire server of the session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from customer_svc.config import Settings
from customer_svc.main import create_app
from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints


def settings_for(infrastructure: Endpoints, database: str | None = None) -> Settings:
    """Settings on the test infrastructure with a database and group of their own."""
    return Settings(
        kafka_bootstrap_servers=infrastructure.kafka,
        mongodb_url=infrastructure.mongodb,
        mongodb_database=database or f"it_customers_{uuid.uuid4().hex[:8]}",
        consumer_group=f"it-customer-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture
async def api(infrastructure: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a fresh customer_svc."""
    async with running(create_app(settings_for(infrastructure))) as client:
        yield client
