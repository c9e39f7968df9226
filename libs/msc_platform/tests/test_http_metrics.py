"""HTTP metrics: by route template and status class, probes and /metrics left out."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, generate_latest

from msc_platform.http import install_http_metrics


def test_requests_are_counted_by_template_method_and_status_class() -> None:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    registry = CollectorRegistry()
    install_http_metrics(app, registry)

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for path in ("/items/1", "/items/2", "/items/x", "/nowhere/7", "/healthz"):
                await client.get(path)

    asyncio.run(run())
    text = generate_latest(registry).decode()
    assert 'http_requests_total{handler="/items/{item_id}",method="GET",status="2xx"} 2.0' in text
    assert 'http_requests_total{handler="/items/{item_id}",method="GET",status="4xx"} 1.0' in text
    assert 'http_requests_total{handler="none",method="GET",status="4xx"} 1.0' in text
    assert "/healthz" not in text and "/items/1" not in text and "nowhere" not in text
    assert (
        'http_request_duration_seconds_count{handler="/items/{item_id}",method="GET"} 3.0' in text
    )
