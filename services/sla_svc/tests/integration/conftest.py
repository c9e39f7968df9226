"""sla_svc in-process on the real Kafka and MongoDB-wire server of the session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints
from sla_svc.config import Settings
from sla_svc.main import create_app


def settings_for(infrastructure: Endpoints, **overrides: object) -> Settings:
    """Settings on the test infrastructure with a database and group of their own."""
    fields: dict[str, object] = {
        "kafka_bootstrap_servers": infrastructure.kafka,
        "mongodb_url": infrastructure.mongodb,
        "mongodb_database": f"it_sla_{uuid.uuid4().hex[:8]}",
        "consumer_group": f"it-sla-{uuid.uuid4().hex[:8]}",
    }
    return Settings(**(fields | overrides))


@pytest.fixture
async def sla_api(infrastructure: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a fresh sla_svc."""
    async with running(create_app(settings_for(infrastructure))) as client:
        yield client
