"""customer_svc and sla_svc for the gateway's unit tests: two small aiohttp servers whose
answers a test programs, and tokens to call the gateway with."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from msc_local.tokens import mint

SECRET = "k" * 40
SUMMARY = {
    "id": "c-1",
    "account": {"name": "Acme", "customer_name": None, "address": None, "phone": None},
    "service_plan": {"plan": "S"},
    "consumption": {
        "window_days": 90,
        "credits_consumed": 0,
        "storage_consumed_bytes": 0,
        "daily": [],
    },
    "contacts": [],
}
SLA = {"window": "7d", "as_of": "2026-11-28T05:00:00Z", "backup_sets": {"items": []}}


@dataclass(frozen=True)
class Call:
    """What a service was asked."""

    service: str
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    content: bytes


Handler = Callable[[Call], Any]


def reply(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    content_type = (headers or {}).pop("Content-Type", "application/json")
    return web.Response(
        status=status, body=json.dumps(body), headers=headers, content_type=content_type
    )


class Services:
    """Programmable answers of customer_svc and sla_svc over real HTTP, and what they were
    asked; `stop` takes one off the network (connections refused)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.customer: Handler = self.default_customer
        self.sla: Handler = self.default_sla
        self.servers: dict[str, TestServer] = {}

    async def start(self) -> None:
        for name in ("customer_svc", "sla_svc"):
            server = TestServer(web.Application(), host="127.0.0.1")
            server.app.router.add_route("*", "/{tail:.*}", self._handler(name))
            await server.start_server()
            self.servers[name] = server

    async def stop(self, name: str | None = None) -> None:
        for server in [self.servers[name]] if name else self.servers.values():
            await server.close()

    def url(self, name: str) -> str:
        return str(self.servers[name].make_url("")).rstrip("/")

    def _handler(self, name: str) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            call = Call(
                name,
                request.method,
                request.path,
                dict(request.query),
                dict(request.headers),
                await request.read(),
            )
            self.calls.append(call)
            result = (self.sla if name == "sla_svc" else self.customer)(call)
            if asyncio.iscoroutine(result):
                result = await result
            assert isinstance(result, web.StreamResponse)
            return result

        return handle

    @staticmethod
    def default_sla(call: Call) -> web.Response:
        if call.path == "/readyz":
            return reply(200, {"status": "ready"})
        if call.path == "/api/v1/sla-health":
            return reply(200, {"items": {}})
        return reply(200, SLA)

    @staticmethod
    def default_customer(call: Call) -> web.Response:
        if call.path == "/readyz":
            return reply(200, {"status": "ready"})
        if call.path == "/api/v1/customers":
            return reply(200, {"items": [{"id": "c-1"}, {"id": "c-2"}], "next_cursor": None})
        if call.path == "/api/v1/storage-regions":
            return reply(200, {"items": ["us-east-1", "eu-west-1"]})
        if call.path.startswith("/api/v1/customers/c-1"):
            return reply(200, SUMMARY, {"ETag": '"c-1.v3"'})
        return reply(404, {"title": "Not found"})


def auth(
    role: str = "msp_admin", customer_id: str | None = None, secret: str = SECRET
) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(secret, role, 'u-1', customer_id)}"}  # type: ignore[arg-type]
