"""Every route of the portal API against every kind of caller, with the contract's status.

The routes come from the gateway's OpenAPI document: a new route without a row in
`SAMPLES` fails here, so none is left out of the matrix. Callers restricted to customer
groups (`fakes.RESTRICTED`) ask about c-1 in its group, and outside their groups, where
every route about it answers as if it did not exist and sla_svc is never asked about it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import jwt
import pytest
from aiohttp import web

from gateway.config import Settings
from gateway.main import create_app
from services.gateway.tests.fakes import SECRET, SUMMARY, Services, auth, reply

CUSTOMER, CONTACT = "c-1", "k-1"
PLAN = {"plan": "Standard", "storage_region": "us-east-1", "tenant_type": "commercial"}
SAMPLES: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/customers"): None,
    ("GET", "/api/v1/storage-regions"): None,
    ("GET", "/api/v1/customers.csv"): None,
    ("GET", "/api/v1/customers/{customer_id}/backup-sets.csv"): None,
    ("POST", "/api/v1/customers"): {
        "account": {"name": "Acme"},
        "service_plan": PLAN | {"edition": "business"},
    },
    ("GET", "/api/v1/customer-groups"): None,
    ("PUT", "/api/v1/customers/{customer_id}/groups"): {"groups": ["north", "Team Blue"]},
    ("GET", "/api/v1/customers/{customer_id}/details"): None,
    ("GET", "/api/v1/customers/{customer_id}/sla"): None,
    ("GET", "/api/v1/customers/{customer_id}/activity"): None,
    ("GET", "/api/v1/customers/{customer_id}/alerts"): None,
    ("GET", "/api/v1/customers/{customer_id}/jobs"): None,
    ("POST", "/api/v1/customers/{customer_id}/alerts/acknowledgements"): {"alert_id": "a-1"},
    ("PATCH", "/api/v1/customers/{customer_id}/account"): {"name": "Acme 2"},
    ("PATCH", "/api/v1/customers/{customer_id}/service-plan"): {"plan": "Premium"},
    ("POST", "/api/v1/customers/{customer_id}/contacts"): {"name": "Dana", "email": "d@a.example"},
    ("PATCH", "/api/v1/customers/{customer_id}/contacts/{contact_id}"): {"name": "Dee"},
    ("DELETE", "/api/v1/customers/{customer_id}/contacts/{contact_id}"): None,
    ("DELETE", "/api/v1/customers/{customer_id}"): None,
}
"""A valid body (or None) for each route: what an `msp_admin` sends successfully."""
QUERIES = {"/api/v1/customers/{customer_id}/jobs": "?backup_set_id=bs-1"}
"""The query a route needs."""

OWN_CUSTOMER_READS = {
    ("GET", "/api/v1/customers/{customer_id}/details"),
    ("GET", "/api/v1/customers/{customer_id}/sla"),
    ("GET", "/api/v1/customers/{customer_id}/backup-sets.csv"),
    ("GET", "/api/v1/customers/{customer_id}/alerts"),
    ("GET", "/api/v1/customers/{customer_id}/jobs"),
}


def api_routes() -> list[tuple[str, str]]:
    """(method, path) of every operation the gateway publishes in its OpenAPI document."""
    spec = create_app(Settings(jwt_secret=SECRET)).openapi()
    return sorted(
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/")
        for method in operations
    )


def token(claims: dict[str, Any], key: str = SECRET, algorithm: str = "HS256") -> str:
    full = {"sub": "u-1", "exp": dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)} | claims
    return jwt.encode(full, key, algorithm=algorithm)


def alg_none() -> str:
    return jwt.encode(
        {"sub": "u-1", "role": "msp_admin", "exp": dt.datetime.now(dt.UTC) + dt.timedelta(1)},
        key=None,
        algorithm="none",
    )


CALLERS: dict[str, dict[str, str]] = {
    "no token": {},
    "bad signature": auth(secret="x" * 40),
    "expired": {
        "Authorization": "Bearer "
        + token({"role": "msp_admin", "exp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)})
    },
    "alg none": {"Authorization": f"Bearer {alg_none()}"},
    "unknown role": {"Authorization": f"Bearer {token({'role': 'auditor'})}"},
    "customer_viewer, own": auth("customer_viewer", CUSTOMER),
    "customer_viewer, other": auth("customer_viewer", "c-2"),
    "customer_viewer, no customer_id": {
        "Authorization": f"Bearer {token({'role': 'customer_viewer'})}"
    },
    "msp_viewer": auth("msp_viewer"),
    "msp_admin": auth("msp_admin"),
    "msp_viewer, restricted to c-1's group": auth("msp_viewer", subject="u-north"),
    "msp_admin, restricted to c-1's group": auth("msp_admin", subject="u-north"),
    "msp_viewer, restricted elsewhere": auth("msp_viewer", subject="u-south"),
    "msp_admin, restricted elsewhere": auth("msp_admin", subject="u-south"),
}
UNRESTRICTED_ONLY = {("PUT", "/api/v1/customers/{customer_id}/groups")}
"""Routes only a caller who sees every customer may call."""


def expected(caller: str, method: str, path: str) -> int | str:
    """The contract's answer: a status, or "ok" for the route's own success (2xx)."""
    if caller in {"no token", "bad signature", "expired", "alg none"}:
        return 401
    if caller == "customer_viewer, no customer_id":
        return 401
    write = method != "GET"
    if caller == "unknown role":
        return 403
    if caller.startswith("customer_viewer"):
        if write or (method, path) not in OWN_CUSTOMER_READS:
            return 403
        return "ok" if caller.endswith("own") else 404
    if caller.startswith("msp_viewer"):
        if write:
            return 403
    elif "restricted" in caller and (method, path) in UNRESTRICTED_ONLY:
        return 403
    if caller.endswith("elsewhere") and "{customer_id}" in path:
        return 404
    return "ok"


def test_every_route_has_a_row_in_the_matrix() -> None:
    assert set(api_routes()) == set(SAMPLES)


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_every_route_answers_each_caller_as_the_contract_says(
    client: httpx.AsyncClient, services: Services, caller: str
) -> None:
    wrong = []
    for method, path in api_routes():
        url = path.format(customer_id=CUSTOMER, contact_id=CONTACT) + QUERIES.get(path, "")
        body = SAMPLES[(method, path)]
        headers = CALLERS[caller] | {"If-Match": "*"}
        answer = await client.request(method, url, json=body, headers=headers)
        want = expected(caller, method, path)
        ok = answer.status_code < 300 if want == "ok" else answer.status_code == want
        if not ok:
            wrong.append(f"{method} {path}: {answer.status_code}, expected {want}")
        if answer.status_code >= 400:
            assert answer.headers["Content-Type"] == "application/problem+json", (method, path)
    assert not wrong, wrong
    if caller.endswith("elsewhere"):
        about = [c.path for c in services.calls if c.service == "sla_svc" and CUSTOMER in c.path]
        assert about == [], "sla_svc was asked about a customer the caller may not see"


async def test_every_documented_status_can_be_answered(
    client: httpx.AsyncClient, services: Services
) -> None:
    """No status in the OpenAPI document is dead: each comes from the caller (401, 403) or
    is passed on from customer_svc's (or sla_svc's) answer (2xx, 404, 409, 412, 422) or
    an answer it cannot use (503)."""
    spec = create_app(Settings(jwt_secret=SECRET)).openapi()
    unreached = []
    for method, path in api_routes():
        documented = spec["paths"][path][method.lower()]["responses"]
        url = path.format(customer_id=CUSTOMER, contact_id=CONTACT) + QUERIES.get(path, "")
        body = SAMPLES[(method, path)]
        for status in sorted(int(s) for s in documented):
            headers = CALLERS["msp_admin"] | {"If-Match": "*"}
            services.customer = Services.default_customer
            services.sla = Services.default_sla
            if status == 202:  # what sla_svc answers an acknowledgement
                services.sla = lambda call: reply(202, {"alert_id": "a-1"})
            elif status in {201, 204}:  # what customer_svc answers a create or a delete
                services.customer = lambda call, s=status: (
                    web.Response(status=s) if s == 204 else reply(s, SUMMARY, {"ETag": '"c-1.v1"'})
                )
            elif status == 401:
                headers = {}
            elif status == 403:
                headers = CALLERS["unknown role"]
            elif status in {404, 409, 412, 422}:
                services.customer = lambda call, s=status: reply(s, {"status": s, "title": "x"})
            elif status == 503:  # an answer the gateway cannot use: a redirect
                services.customer = lambda call: web.Response(status=307, headers={"Location": "/"})
            answer = await client.request(method, url, json=body, headers=headers)
            if answer.status_code != status:
                unreached.append(f"{method} {path} {status}: got {answer.status_code}")
    assert not unreached, unreached
