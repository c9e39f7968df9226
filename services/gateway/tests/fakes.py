"""customer_svc and sla_svc for the gateway's unit tests: two small aiohttp servers whose
answers a test programs, tokens to call the gateway with, and the gateway itself with
callers restricted to customer groups."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import Principal
from gateway.config import Settings
from gateway.main import create_app
from msc_local.tokens import mint
from msc_platform.http import CUSTOMER_GROUPS_HEADER, groups_of

SECRET = "k" * 40
GROUPS = {"c-1": "north", "c-2": "south"}
"""The customer group of each customer the fake customer_svc has."""
RESTRICTED = {"u-north": frozenset({"north"}), "u-south": frozenset({"south", "west"})}
"""Callers (by `sub`) restricted to customer groups, and their groups."""
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
    "groups": ["north"],
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
        """customer_svc's answers about c-1 (and, in the list, c-2), each as a caller
        restricted to customer groups sees it (`GROUPS`)."""
        restriction = groups_of(call.headers.get(CUSTOMER_GROUPS_HEADER))

        def visible(cid: str) -> bool:
            return restriction is None or GROUPS[cid] in restriction

        if call.path == "/readyz":
            return reply(200, {"status": "ready"})
        if call.path == "/api/v1/customers":
            items = [{"id": cid} for cid in ("c-1", "c-2") if visible(cid)]
            return reply(200, {"items": items, "next_cursor": None})
        if call.path == "/api/v1/storage-regions":
            return reply(200, {"items": ["us-east-1", "eu-west-1"]})
        if call.path == "/api/v1/customer-groups":
            named = [{"name": GROUPS[cid], "customers": 1} for cid in GROUPS if visible(cid)]
            return reply(200, {"items": named})
        if call.path.startswith("/api/v1/customers/c-1") and visible("c-1"):
            return reply(200, SUMMARY, {"ETag": '"c-1.v3"'})
        missing = {"title": "Not found", "status": 404, "detail": "no such customer"}
        return reply(404, missing, {"Content-Type": "application/problem+json"})


def auth(
    role: str = "msp_admin",
    customer_id: str | None = None,
    secret: str = SECRET,
    subject: str = "u-1",
) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(secret, role, subject, customer_id)}"}  # type: ignore[arg-type]


class Restricting:
    """Between `Guard` and the routes: the principal of a subject in `RESTRICTED` restricted
    to its customer groups, as a token naming them gives it (portal tokens of these tests
    carry no groups)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        who = scope.get("state", {}).get("principal")
        if isinstance(who, Principal) and who.subject in RESTRICTED:
            restricted = dataclasses.replace(who, customer_groups=RESTRICTED[who.subject])
            scope["state"]["principal"] = restricted
        await self.app(scope, receive, send)


def gateway(settings: Settings) -> FastAPI:
    """The gateway, with the callers of `RESTRICTED` restricted to their groups."""
    app = create_app(settings)
    app.user_middleware.append(Middleware(Restricting))  # innermost: after `Guard`
    return app
