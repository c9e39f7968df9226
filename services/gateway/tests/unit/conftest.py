"""Fixtures of the gateway's unit tests: the fake services and a client on the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.config import Settings
from services.gateway.tests.fakes import SECRET, Services, gateway


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    fakes = Services()
    await fakes.start()
    yield fakes
    await fakes.stop()


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        jwt_secret=SECRET,
        sla_timeout_s=0.3,
        customer_svc_url=services.url("customer_svc"),
        sla_svc_url=services.url("sla_svc"),
    )
    app = gateway(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
            yield c
