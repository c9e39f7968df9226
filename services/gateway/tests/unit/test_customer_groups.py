"""Callers restricted to customer groups: the gateway names their groups to customer_svc on
every call, asks sla_svc about a customer only once customer_svc has answered that they may
see it, and refuses them the groups of a customer; unrestricted callers pay nothing for it."""

from __future__ import annotations

import asyncio
import json

import httpx
from aiohttp import web

from msc_platform.http import CUSTOMER_GROUPS_HEADER, groups_header, groups_of
from services.gateway.tests.fakes import RESTRICTED, Call, Services, auth, reply

NORTH = auth("msp_admin", subject="u-north")
SOUTH = auth("msp_admin", subject="u-south")
SLA_ROUTES = (
    "/api/v1/customers/c-1/details",
    "/api/v1/customers/c-1/sla",
    "/api/v1/customers/c-1/backup-sets.csv",
    "/api/v1/customers/c-1/alerts",
    "/api/v1/customers/c-1/jobs?backup_set_id=bs-1",
)


def test_the_header_names_each_group_whole_whatever_it_holds() -> None:
    groups = frozenset({"Reseller, North", "Équipe bleue", "100%", "a b"})
    (value,) = groups_header(groups).values()
    assert value.isascii() and value.count(",") == len(groups) - 1
    assert groups_of(value) == groups
    assert groups_of(groups_header([])[CUSTOMER_GROUPS_HEADER]) == frozenset()  # sees none
    assert groups_of(None) is None  # sees every customer


async def test_the_unrestricted_details_view_makes_the_calls_it_made_before(
    client: httpx.AsyncClient, services: Services
) -> None:
    answer = await client.get("/api/v1/customers/c-1/details", headers=auth())
    assert answer.status_code == 200 and answer.json()["summary"]["groups"] == ["north"]
    assert sorted(c.service for c in services.calls) == ["customer_svc", "sla_svc"]
    assert all(CUSTOMER_GROUPS_HEADER not in c.headers for c in services.calls)


async def test_sla_svc_is_asked_only_once_customer_svc_answered_the_customer_is_visible(
    client: httpx.AsyncClient, services: Services
) -> None:
    answered: list[bool] = []
    customer_answered = False

    async def customer(call: Call) -> web.StreamResponse:
        nonlocal customer_answered
        await asyncio.sleep(0.05)  # asked at once, sla_svc would be called meanwhile
        customer_answered = True
        return Services.default_customer(call)

    def sla(call: Call) -> web.StreamResponse:
        answered.append(customer_answered)
        return Services.default_sla(call)

    services.customer, services.sla = customer, sla
    for path in SLA_ROUTES:
        answer = await client.get(path, headers=NORTH)
        assert answer.status_code == 200, (path, answer.text)
    acknowledged = await client.post(
        "/api/v1/customers/c-1/alerts/acknowledgements", json={"alert_id": "a-1"}, headers=NORTH
    )
    assert acknowledged.status_code < 300
    assert answered and all(answered)
    asked = [c for c in services.calls if c.service == "customer_svc"]
    assert {groups_of(c.headers[CUSTOMER_GROUPS_HEADER]) for c in asked} == {RESTRICTED["u-north"]}

    services.calls.clear()
    for path in SLA_ROUTES:
        assert (await client.get(path, headers=SOUTH)).status_code == 404, path
    assert [c.service for c in services.calls] == ["customer_svc"] * len(SLA_ROUTES)


async def test_the_list_its_export_and_their_health_are_of_the_callers_groups(
    client: httpx.AsyncClient, services: Services
) -> None:
    page = await client.get("/api/v1/customers?group=south", headers=SOUTH)
    assert [item["id"] for item in page.json()["items"]] == ["c-2"]
    export = await client.get("/api/v1/customers.csv?q=a&group=south", headers=SOUTH)
    assert export.status_code == 200 and "c-1" not in export.text
    health = [json.loads(c.content) for c in services.calls if c.service == "sla_svc"]
    assert health == [{"customer_ids": ["c-2"]}] * 2
    lists = [c for c in services.calls if c.path == "/api/v1/customers"]
    assert [c.params for c in lists] == [
        {"group": "south", "limit": "50"},
        {"q": "a", "group": "south", "limit": "200"},
    ]
    assert all(groups_of(c.headers[CUSTOMER_GROUPS_HEADER]) == RESTRICTED["u-south"] for c in lists)
    groups = await client.get("/api/v1/customer-groups", headers=SOUTH)
    assert groups.json() == {"items": [{"name": "south", "customers": 1}]}


async def test_a_restricted_admins_changes_name_its_groups(
    client: httpx.AsyncClient, services: Services
) -> None:
    refused = await client.patch(
        "/api/v1/customers/c-1/account", json={"phone": "+14155550100"}, headers=SOUTH
    )
    assert refused.status_code == 404
    (call,) = services.calls
    assert groups_of(call.headers[CUSTOMER_GROUPS_HEADER]) == RESTRICTED["u-south"]


async def test_a_restricted_admin_may_not_set_groups_and_is_told_before_its_body_is_read(
    client: httpx.AsyncClient, services: Services
) -> None:
    for body in ({"groups": ["north"]}, {"groups": "not a list"}, None):
        refused = await client.put("/api/v1/customers/c-1/groups", json=body, headers=NORTH)
        assert refused.status_code == 403, body
        assert refused.headers["Content-Type"] == "application/problem+json"
    assert services.calls == []
    bad = await client.put("/api/v1/customers/c-1/groups", json={"groups": [""]}, headers=auth())
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "groups.0"
    viewer = await client.put(
        "/api/v1/customers/c-1/groups", json={"groups": []}, headers=auth("msp_viewer")
    )
    assert viewer.status_code == 403


async def test_an_unrestricted_admin_sets_groups_with_its_etag(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.customer = lambda call: reply(200, {"groups": ["north"]}, {"ETag": '"c-1.v4"'})
    done = await client.put(
        "/api/v1/customers/c-1/groups",
        json={"groups": [" north "]},
        headers=auth() | {"If-Match": '"c-1.v3"'},
    )
    assert done.status_code == 200 and done.headers["ETag"] == '"c-1.v4"'
    (call,) = services.calls
    assert call.method == "PUT" and call.path == "/api/v1/customers/c-1/groups"
    assert call.headers["If-Match"] == '"c-1.v3"' and CUSTOMER_GROUPS_HEADER not in call.headers
    assert json.loads(call.content) == {"groups": ["north"]}
