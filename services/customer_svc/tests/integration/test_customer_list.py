"""The customers list of several instances: each serves it from memory and lists what any
instance wrote, on the real broker and database."""

from __future__ import annotations

import uuid

import httpx

from customer_svc.main import create_app
from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually
from services.customer_svc.tests.integration.conftest import settings_for
from services.customer_svc.tests.integration.test_customers_api import create


async def names(api: httpx.AsyncClient, q: str) -> list[str]:
    answer = await api.get("/api/v1/customers", params={"q": q, "limit": 200})
    assert answer.status_code == 200, answer.text
    return [item["name"] for item in answer.json()["items"]]


async def test_each_instance_lists_what_the_others_write(infrastructure: Endpoints) -> None:
    settings = settings_for(infrastructure)
    tag = uuid.uuid4().hex[:8]
    async with running(create_app(settings)) as first:
        before = [(await create(first, name=f"{tag} {n}")).json() for n in ("b", "d")]
        async with running(create_app(settings)) as second:
            assert await names(second, tag) == [f"{tag} b", f"{tag} d"]  # read at its start

            await create(first, name=f"{tag} c")
            assert f"{tag} c" in await names(first, tag)  # the writer lists it at once
            renamed = await second.patch(
                f"/api/v1/customers/{before[1]['id']}/account",
                json={"name": f"{tag} a"},
                headers={"If-Match": f'"{before[1]["id"]}.v1"'},
            )
            assert renamed.status_code == 200, renamed.text
            deleted = await second.delete(
                f"/api/v1/customers/{before[0]['id']}", headers={"If-Match": "*"}
            )
            assert deleted.status_code == 204, deleted.text
            listed = await names(second, tag)
            assert f"{tag} a" in listed and f"{tag} b" not in listed and f"{tag} d" not in listed
            expected = [f"{tag} a", f"{tag} c"]

            async def both_agree() -> bool:
                return await names(first, tag) == expected and await names(second, tag) == expected

            await eventually(both_agree, timeout_s=15)
