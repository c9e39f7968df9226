"""The gateway alone: the services answered by `httpx.MockTransport`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pydantic
import pytest

from gateway.auth import mint
from gateway.config import Settings
from gateway.main import create_app

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
Handler = Callable[[httpx.Request], Any]


class Services:
    """Programmable answers of customer_svc and sla_svc, and what they were asked."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.customer: Handler = self.default_customer
        self.sla: Handler = self.default_sla

    @staticmethod
    def default_sla(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/sla-health":
            return httpx.Response(200, json={"items": {}})
        return httpx.Response(200, json=SLA)

    @staticmethod
    def default_customer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/customers":
            return httpx.Response(
                200, json={"items": [{"id": "c-1"}, {"id": "c-2"}], "next_cursor": None}
            )
        if request.url.path.startswith("/api/v1/customers/c-1"):
            return httpx.Response(200, json=SUMMARY, headers={"ETag": '"c-1.v3"'})
        return httpx.Response(404, json={"title": "Not found"})

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        handler = self.sla if request.url.port == 8082 else self.customer
        answer = handler(request)
        if asyncio.iscoroutine(answer):
            answer = await answer
        assert isinstance(answer, httpx.Response)
        return answer


@pytest.fixture
def services() -> Services:
    return Services()


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(jwt_secret=SECRET, sla_timeout_s=0.3)
    app = create_app(settings, transport=httpx.MockTransport(services))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
            yield c


def auth(
    role: str = "msp_admin", customer_id: str | None = None, secret: str = SECRET
) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(secret, role, 'u-1', customer_id)}"}  # type: ignore[arg-type]


async def test_missing_or_bad_tokens_are_401(client: httpx.AsyncClient) -> None:
    expired = jwt.encode(
        {"sub": "u", "role": "msp_admin", "exp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)},
        SECRET,
        algorithm="HS256",
    )
    no_role = jwt.encode(
        {"sub": "u", "exp": dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)}, SECRET
    )
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        auth(secret="x" * 40),
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {no_role}"},
        {"Authorization": f"Basic {SECRET}"},
    ):
        answer = await client.get("/api/v1/customers/c-1/details", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


async def test_roles(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/customers", headers=auth("msp_viewer"))).status_code == 200
    for role in ("msp_viewer", "customer_viewer"):
        write = await client.patch(
            "/api/v1/customers/c-1/account", json={}, headers=auth(role, "c-1")
        )
        assert write.status_code == 403, role
    assert (
        await client.get("/api/v1/customers", headers=auth("customer_viewer", "c-1"))
    ).status_code == 403
    assert (await client.get("/api/v1/customers", headers=auth("auditor"))).status_code == 403
    own = await client.get("/api/v1/customers/c-1/details", headers=auth("customer_viewer", "c-1"))
    assert own.status_code == 200
    other = await client.get("/api/v1/customers/c-2/sla", headers=auth("customer_viewer", "c-1"))
    assert other.status_code == 404


async def test_details_compose_both_services(client: httpx.AsyncClient, services: Services) -> None:
    answer = await client.get(
        "/api/v1/customers/c-1/details?window=24h", headers=auth("msp_viewer")
    )
    assert answer.status_code == 200
    assert answer.headers["ETag"] == '"c-1.v3"'
    body = answer.json()
    assert body == {
        "id": "c-1",
        "summary": {k: SUMMARY[k] for k in ("account", "service_plan", "consumption", "contacts")},
        "sla": SLA,
        "partial": False,
        "errors": [],
    }
    sla_call = next(c for c in services.calls if c.url.port == 8082)
    assert sla_call.url.params["window"] == "24h"
    ids = {c.headers["X-Request-ID"] for c in services.calls}
    assert ids == {answer.headers["X-Request-ID"]}


async def test_a_slow_sla_gives_a_partial_view_in_time(
    client: httpx.AsyncClient, services: Services
) -> None:
    never = asyncio.Event()
    abandoned: list[bool] = []

    async def hangs(request: httpx.Request) -> httpx.Response:
        try:
            await never.wait()
        except asyncio.CancelledError:
            abandoned.append(True)
            raise
        return httpx.Response(200, json=SLA)

    services.sla = hangs
    # The guard only keeps a broken gateway from hanging the suite.
    answer = await asyncio.wait_for(
        client.get("/api/v1/customers/c-1/details", headers=auth()), timeout=30
    )
    assert abandoned == [True]  # the gateway gave up on sla_svc rather than wait for it
    assert answer.status_code == 200
    body = answer.json()
    assert body["sla"] is None and body["partial"] is True
    assert body["errors"][0]["source"] == "sla_svc"
    assert body["summary"]["account"]["name"] == "Acme"


async def test_a_failing_sla_gives_a_partial_view(
    client: httpx.AsyncClient, services: Services
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    services.sla = down
    body = (await client.get("/api/v1/customers/c-1/details", headers=auth())).json()
    assert body["partial"] is True and "unreachable" in body["errors"][0]["message"]
    services.sla = lambda r: httpx.Response(500, json={})
    body = (await client.get("/api/v1/customers/c-1/details", headers=auth())).json()
    assert body["partial"] is True and body["sla"] is None


async def test_customer_svc_down_is_503(client: httpx.AsyncClient, services: Services) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    services.customer = down
    answer = await client.get("/api/v1/customers/c-1/details", headers=auth())
    assert answer.status_code == 503
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 503


async def test_missing_customers_are_404(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/customers/c-9/details", "/api/v1/customers/c-9/sla"):
        answer = await client.get(path, headers=auth())
        assert answer.status_code == 404 and answer.json()["status"] == 404


async def test_the_list_asks_for_health_once(client: httpx.AsyncClient, services: Services) -> None:
    services.sla = lambda r: httpx.Response(200, json={"items": {"c-1": "critical"}})
    body = (await client.get("/api/v1/customers?q=ac&limit=5", headers=auth("msp_viewer"))).json()
    assert [i["sla_health"] for i in body["items"]] == ["critical", "unknown"]
    sla_calls = [c for c in services.calls if c.url.port == 8082]
    assert len(sla_calls) == 1
    assert json.loads(sla_calls[0].content) == {"customer_ids": ["c-1", "c-2"]}
    list_call = next(c for c in services.calls if c.url.path == "/api/v1/customers")
    assert dict(list_call.url.params) == {"q": "ac", "limit": "5"}


async def test_writes_are_forwarded_with_if_match_and_errors_pass_through(
    client: httpx.AsyncClient, services: Services
) -> None:
    def stale(request: httpx.Request) -> httpx.Response:
        assert request.headers["If-Match"] == '"c-1.v2"'
        assert json.loads(request.content) == {"phone": "+14155550100"}
        return httpx.Response(
            412,
            json={"type": "t", "title": "Precondition failed", "status": 412, "detail": "d"},
            headers={"Content-Type": "application/problem+json"},
        )

    services.customer = stale
    answer = await client.patch(
        "/api/v1/customers/c-1/account",
        json={"phone": "+14155550100"},
        headers=auth() | {"If-Match": '"c-1.v2"'},
    )
    assert answer.status_code == 412
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["title"] == "Precondition failed"

    services.customer = lambda r: httpx.Response(
        201, json={"id": "c-7"}, headers={"Location": "/api/v1/customers/c-7", "ETag": '"c-7.v1"'}
    )
    body = {
        "account": {"name": "Acme"},
        "service_plan": {
            "plan": "S",
            "storage_region": "us-east-1",
            "tenant_type": "commercial",
            "edition": "elite",
        },
    }
    created = await client.post("/api/v1/customers", json=body, headers=auth())
    assert created.status_code == 201
    assert (
        created.headers["Location"] == "/api/v1/customers/c-7"
        and created.headers["ETag"] == '"c-7.v1"'
    )


def test_refuses_to_start_on_a_weak_secret() -> None:
    for weak in ("", "changeme", "short"):
        with pytest.raises(pydantic.ValidationError, match="MSC_JWT_SECRET"):
            Settings(jwt_secret=weak)
    assert Settings(jwt_secret="", dev_mode=True).dev_mode
    assert Settings(jwt_secret=SECRET).jwt_secret.get_secret_value() == SECRET


async def test_bad_bodies_are_refused_before_they_travel(
    client: httpx.AsyncClient, services: Services
) -> None:
    answer = await client.patch(
        "/api/v1/customers/c-1/account", json={"phone": "12345", "nickname": "x"}, headers=auth()
    )
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in answer.json()["errors"]} == {"phone", "nickname"}
    assert not any(c.method == "PATCH" for c in services.calls)


def test_the_openapi_document_describes_bodies_answers_and_errors() -> None:
    app = create_app(Settings(jwt_secret=SECRET))
    spec = app.openapi()
    create = spec["paths"]["/api/v1/customers"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "CustomerCreate"
    )
    assert {"201", "401", "403", "409", "422", "503"} <= set(create["responses"])
    details = spec["paths"]["/api/v1/customers/{customer_id}/details"]["get"]
    assert details["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "CustomerDetails"
    )
    assert "ProblemDetail" in spec["components"]["schemas"]
