"""The gateway alone: customer_svc and sla_svc answered by two small aiohttp servers."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import AsyncIterator

import httpx
import jwt
import pydantic
import pytest
from aiohttp import web

from gateway.config import Settings
from gateway.main import PORTAL_DIR, create_app
from msc_local.tokens import mint
from msc_platform.http import ACTOR_HEADER, MAX_BODY_BYTES, actor_of
from services.gateway.tests.fakes import SECRET, SLA, SUMMARY, Call, Services, auth, reply


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
        "summary": {k: v for k, v in SUMMARY.items() if k != "id"},
        "sla": SLA,
        "partial": False,
        "errors": [],
    }
    sla_call = next(c for c in services.calls if c.service == "sla_svc")
    assert sla_call.params == {"window": "24h"}
    ids = {c.headers["X-Request-ID"] for c in services.calls}
    assert ids == {answer.headers["X-Request-ID"]}


async def test_a_slow_sla_gives_a_partial_view_in_time(
    client: httpx.AsyncClient, services: Services
) -> None:
    never = asyncio.Event()
    abandoned = asyncio.Event()

    async def hangs(call: Call) -> web.Response:
        try:
            await never.wait()
        except asyncio.CancelledError:
            abandoned.set()  # the gateway hung up, so the fake service's handler was cancelled
            raise
        return reply(200, SLA)

    services.sla = hangs
    # The guards only keep a broken gateway from hanging the suite.
    answer = await asyncio.wait_for(
        client.get("/api/v1/customers/c-1/details", headers=auth()), timeout=30
    )
    await asyncio.wait_for(abandoned.wait(), timeout=30)  # it gave up on sla_svc, not waited
    assert answer.status_code == 200
    body = answer.json()
    assert body["sla"] is None and body["partial"] is True
    assert body["errors"][0]["source"] == "sla_svc"
    assert body["summary"]["account"]["name"] == "Acme"


async def test_a_failing_sla_gives_a_partial_view(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.sla = lambda call: reply(500, {})
    body = (await client.get("/api/v1/customers/c-1/details", headers=auth())).json()
    assert body["partial"] is True and body["sla"] is None
    assert body["errors"] == [{"source": "sla_svc", "message": "answered 500"}]
    await services.stop("sla_svc")
    body = (await client.get("/api/v1/customers/c-1/details", headers=auth())).json()
    assert body["partial"] is True and "unreachable" in body["errors"][0]["message"]
    assert body["summary"]["account"]["name"] == "Acme"


async def test_customer_svc_down_is_503(client: httpx.AsyncClient, services: Services) -> None:
    await services.stop("customer_svc")
    got = await client.get("/api/v1/customers/c-1/details", headers=auth())
    assert got.status_code == 503
    assert got.headers["Content-Type"] == "application/problem+json"
    assert got.json()["status"] == 503


async def test_missing_customers_are_404(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/customers/c-9/details", "/api/v1/customers/c-9/sla"):
        answer = await client.get(path, headers=auth())
        assert answer.status_code == 404 and answer.json()["status"] == 404


async def test_the_list_asks_for_health_once(client: httpx.AsyncClient, services: Services) -> None:
    services.sla = lambda call: reply(200, {"items": {"c-1": "critical"}})
    body = (await client.get("/api/v1/customers?q=ac&limit=5", headers=auth("msp_viewer"))).json()
    assert [i["sla_health"] for i in body["items"]] == ["critical", "unknown"]
    sla_calls = [c for c in services.calls if c.service == "sla_svc"]
    assert len(sla_calls) == 1
    assert json.loads(sla_calls[0].content) == {"customer_ids": ["c-1", "c-2"]}
    list_call = next(c for c in services.calls if c.path == "/api/v1/customers")
    assert list_call.params == {"q": "ac", "limit": "5"}


async def test_writes_are_forwarded_with_if_match_and_errors_pass_through(
    client: httpx.AsyncClient, services: Services
) -> None:
    def stale(call: Call) -> web.Response:
        assert call.headers["If-Match"] == '"c-1.v2"'
        assert json.loads(call.content) == {"phone": "+14155550100"}
        return reply(
            412,
            {"type": "t", "title": "Precondition failed", "status": 412, "detail": "d"},
            {"Content-Type": "application/problem+json"},
        )

    services.customer = stale
    got = await client.patch(
        "/api/v1/customers/c-1/account",
        json={"phone": "+14155550100"},
        headers=auth() | {"If-Match": '"c-1.v2"'},
    )
    assert got.status_code == 412
    assert got.headers["Content-Type"] == "application/problem+json"
    assert got.json()["title"] == "Precondition failed"

    services.customer = lambda call: reply(
        201, {"id": "c-7"}, {"Location": "/api/v1/customers/c-7", "ETag": '"c-7.v1"'}
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


async def test_a_change_names_its_actor_to_customer_svc(
    client: httpx.AsyncClient, services: Services
) -> None:
    """The `sub` of the caller's token travels with every change (percent-encoded: a `sub`
    is any JSON string, a header is not), and customer_svc reads it back whole."""
    seen: list[str | None] = []

    def record(call: Call) -> web.Response:
        seen.append(actor_of(call.headers.get(ACTOR_HEADER)))
        return reply(204, None)

    services.customer = record
    for subject in ("alice@msp.example", "Zoë\r\nX-Evil: 1", "lone \ud800"):
        token = mint(SECRET, "msp_admin", subject, None)
        headers = {"Authorization": f"Bearer {token}"}
        answer = await client.delete("/api/v1/customers/c-1/contacts/k-1", headers=headers)
        assert answer.status_code == 204
    # as an event may carry it: the unprintable shown as U+FFFD, never a header split
    assert seen == ["alice@msp.example", "Zoë\ufffd\ufffdX-Evil: 1", "lone ?"]


async def test_activity_is_for_msp_staff_and_pages_are_passed_on(
    client: httpx.AsyncClient, services: Services
) -> None:
    page = {"items": [], "next_cursor": "3"}
    asked: list[dict[str, str]] = []

    def activity(call: Call) -> web.Response:
        asked.append(call.params)
        return reply(200, page)

    services.customer = activity
    got = await client.get(
        "/api/v1/customers/c-1/activity?limit=5&cursor=8", headers=auth("msp_viewer")
    )
    assert got.status_code == 200 and got.json() == page
    assert asked == [{"limit": "5", "cursor": "8"}]
    refused = await client.get(
        "/api/v1/customers/c-1/activity", headers=auth("customer_viewer", "c-1")
    )
    assert refused.status_code == 403


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


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers/c-9%3Fwindow=30d%23/details",
        "/api/v1/customers/%2E%2E/details",
        "/api/v1/customers/c-1/contacts/%2E%2E",
        "/api/v1/customers/c-1%2Fcontacts/details",
        "/api/v1/customers/" + "c" * 129 + "/details",
    ],
)
async def test_paths_whose_ids_are_not_ids_are_not_found_and_go_nowhere(
    client: httpx.AsyncClient, services: Services, path: str
) -> None:
    for method in ("GET", "DELETE"):
        got = await client.request(method, path, headers=auth() | {"If-Match": "*"})
        assert got.status_code in {404, 405}, (method, got.status_code)
        assert got.headers["Content-Type"] == "application/problem+json"
    assert services.calls == []


async def test_the_caller_is_checked_before_the_body(
    client: httpx.AsyncClient, services: Services
) -> None:
    """401, then 403, then 422: a viewer's broken body is refused for the role, not the body."""
    path = "/api/v1/customers/c-1/account"
    broken = {"content": b'{"phone": ', "headers": {"Content-Type": "application/json"}}
    assert (await client.patch(path, **broken)).status_code == 401  # type: ignore[arg-type]
    viewer = await client.patch(
        path, content=b'{"phone": ', headers=auth("msp_viewer") | broken["headers"]
    )
    assert viewer.status_code == 403 and viewer.json()["title"] == "Forbidden"
    admin = await client.patch(path, content=b'{"phone": ', headers=auth() | broken["headers"])
    assert admin.status_code == 422
    assert services.calls == []


async def test_a_body_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, services: Services
) -> None:
    huge = b"x" * (MAX_BODY_BYTES + 1)
    declared = await client.post("/api/v1/customers", content=huge, headers=auth())
    assert declared.status_code == 413
    assert declared.headers["Content-Type"] == "application/problem+json"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for _ in range(4):
            yield b" " * (MAX_BODY_BYTES // 2)

    streamed = await client.post("/api/v1/customers", content=chunks(), headers=auth())
    assert streamed.status_code == 413 and streamed.json()["status"] == 413
    assert services.calls == []


async def test_answers_carry_browser_hardening_and_api_answers_are_not_cached(
    client: httpx.AsyncClient,
) -> None:
    portal = await client.get("/")
    api = await client.get("/api/v1/customers", headers=auth())
    refused = await client.get("/api/v1/customers")
    for answer in (portal, api, refused):
        csp = answer.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert api.headers["Cache-Control"] == "no-store"
    assert refused.headers["Cache-Control"] == "no-store"


# The JavaScript MIME types a browser runs a module script of (the HTML standard's list
# has more; these are the two Python's table or /etc/mime.types give `.js`).
JAVASCRIPT = {"text/javascript", "application/javascript"}


async def test_the_portal_is_es_modules_served_as_javascript_under_the_csp(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/")
    assert '<script type="module" src="/main.js"></script>' in page.text
    modules = {path.name: path.read_text() for path in PORTAL_DIR.glob("*.js")}
    imported = {name for text in modules.values() for name in re.findall(r'from "\./(.+?)"', text)}
    assert "main.js" in modules and imported <= modules.keys()  # every import is a file served
    for name in modules:
        answer = await client.get(f"/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"].split(";")[0] in JAVASCRIPT, name
        assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_api_docs_load_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).headers["location"] == "/docs/"
    page = await client.get("/docs/")
    assert page.status_code == 200 and "<script>" not in page.text
    sources = [src for src in page.text.split('src="')[1:]] + page.text.split('href="')[1:]
    assert sources and all(s.startswith("/") for s in sources)
    for asset in (
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/docs/init.js",
    ):
        assert (await client.get(asset)).status_code == 200, asset


async def test_an_upstream_redirect_is_neither_followed_nor_passed_on(
    client: httpx.AsyncClient, services: Services
) -> None:
    inside = services.url("sla_svc") + "/internal-only"
    services.customer = lambda call: web.Response(status=307, headers={"Location": inside})
    for method, path in (
        ("GET", "/api/v1/customers/c-1/details"),
        ("DELETE", "/api/v1/customers/c-1"),
    ):
        answer = await client.request(method, path, headers=auth() | {"If-Match": "*"})
        assert answer.status_code == 503 and "location" not in answer.headers
    assert [c.path for c in services.calls if c.path == "/internal-only"] == []
    metrics = (await client.get("/metrics")).text
    assert 'msc_upstream_failures_total{reason="redirect",service="customer_svc"} 2.0' in metrics
    assert 'msc_upstream_request_duration_seconds_count{service="customer_svc"}' in metrics


async def test_the_gateway_is_ready_without_sla_svc_and_says_it_is_degraded(
    client: httpx.AsyncClient, services: Services
) -> None:
    whole = await client.get("/readyz")
    assert whole.status_code == 200 and whole.json()["status"] == "ready"
    await services.stop("sla_svc")
    degraded = await client.get("/readyz")
    assert degraded.status_code == 200 and degraded.json()["status"] == "degraded"
    assert degraded.json()["checks"]["sla_svc"] != "ok"
    assert 'msc_dependency_up{dependency="sla_svc"} 0.0' in (await client.get("/metrics")).text
    await services.stop("customer_svc")
    assert (await client.get("/readyz")).status_code == 503


async def test_http_metrics_per_route_template_not_per_path(client: httpx.AsyncClient) -> None:
    for cid in ("c-1", "c-2", "c-3"):
        await client.get(f"/api/v1/customers/{cid}/details", headers=auth())
    await client.get("/api/v1/customers/c-1/details")  # 401
    text = (await client.get("/metrics")).text
    lines = [line for line in text.splitlines() if line.startswith("http_requests_total{")]
    details = [line for line in lines if "/customers/{customer_id}/details" in line]
    assert details and not any("c-2" in line for line in lines)
    assert any('status="2xx"' in line for line in details)
    assert any('status="4xx"' in line for line in details)


async def test_the_event_contract_is_published(client: httpx.AsyncClient) -> None:
    document = (await client.get("/asyncapi.json")).json()
    assert document["asyncapi"].startswith("3.")
    assert {c["address"] for c in document["channels"].values()} >= {"backup.jobs"}


async def test_a_query_parameter_the_route_does_not_take_is_refused_by_name(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/api/v1/customers?limt=5&q=acme", headers=auth("msp_viewer"))
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "limt", "message": "not a parameter of this route"}
    ]
    twice = await client.get("/api/v1/customers?q=a&q=b", headers=auth("msp_viewer"))
    assert twice.json()["errors"] == [{"field": "q", "message": "given more than once"}]
    assert (
        await client.get("/api/v1/customers?limit=5", headers=auth("msp_viewer"))
    ).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/customers?limit=0",
        "/api/v1/customers?limit=201",
        "/api/v1/customers?limit=ten",
        "/api/v1/customers?q=" + "x" * 201,
        "/api/v1/customers.csv?q=" + "x" * 201,
        "/api/v1/customers/c-1/details?window=1y",
        "/api/v1/customers/c-1/sla?window=7d&cursor=" + "x" * 501,
        "/api/v1/customers/c-1/backup-sets.csv?window=90d",
    ],
)
async def test_query_values_out_of_their_range_are_422(
    client: httpx.AsyncClient, query: str
) -> None:
    answer = await client.get(query, headers=auth("msp_admin"))
    assert answer.status_code == 422, answer.text
