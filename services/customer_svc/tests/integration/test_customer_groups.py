"""Customer groups on the real database and broker: set through the normal change path, and
a caller restricted to some groups (the gateway's `X-MSC-Customer-Groups`) sees and changes
their customers only, every other customer answered 404 as if it did not exist."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from customer_svc.main import create_app
from msc_contracts.bounds import MAX_GROUPS
from msc_platform.http import ACTOR_HEADER, groups_header
from msc_testkit.asgi import running
from msc_testkit.infrastructure import Endpoints
from msc_testkit.kafka import eventually
from msc_testkit.mongo import throwaway_database
from services.customer_svc.tests.integration.conftest import settings_for
from services.customer_svc.tests.integration.test_customers_api import create

NORTH = "Reseller, North"  # a comma and a space: percent-encoded in the header
BLUE = "Équipe bleue"
AS_NORTH = groups_header([NORTH])


async def set_groups(
    api: httpx.AsyncClient, cid: str, groups: list[str], **headers: str
) -> httpx.Response:
    etag = (await api.get(f"/api/v1/customers/{cid}")).headers["ETag"]
    return await api.put(
        f"/api/v1/customers/{cid}/groups",
        json={"groups": groups},
        headers={"If-Match": etag, ACTOR_HEADER: "root"} | headers,
    )


async def listed(api: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    answer = await api.get("/api/v1/customers", params={"limit": 200, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["name"] for item in answer.json()["items"]]


async def test_groups_are_set_through_the_change_path_and_recorded(
    api: httpx.AsyncClient,
) -> None:
    cid = (await create(api)).json()["id"]
    done = await set_groups(api, cid, [f"  {NORTH} ", BLUE, NORTH])  # kept NFKC and trimmed
    assert done.status_code == 200, done.text
    assert done.json()["groups"] == sorted([NORTH, BLUE])
    assert done.headers["ETag"] == f'"{cid}.v2"'
    read = await api.get(f"/api/v1/customers/{cid}")
    assert read.json()["groups"] == sorted([NORTH, BLUE])
    stale = await api.put(
        f"/api/v1/customers/{cid}/groups", json={"groups": []}, headers={"If-Match": f'"{cid}.v1"'}
    )
    assert stale.status_code == 412
    assert (await set_groups(api, cid, [BLUE])).status_code == 200
    trail = (await api.get(f"/api/v1/customers/{cid}/activity")).json()["items"]
    assert [(e["version"], e["action"], e["actor"]) for e in trail[:2]] == [
        (3, "groups_updated", "root"),
        (2, "groups_updated", "root"),
    ]
    assert trail[0]["changes"] == [{"field": f"groups.{NORTH}", "old": NORTH, "new": None}]


async def test_group_names_are_bounded(api: httpx.AsyncClient) -> None:
    cid = (await create(api)).json()["id"]
    for groups, field in [
        ([f"g{i}" for i in range(MAX_GROUPS + 1)], "groups"),
        (["   "], "groups.0"),
        (["x" * 101], "groups.0"),
        (["Team\nBlue"], "groups.0"),
    ]:
        refused = await set_groups(api, cid, groups)
        assert refused.status_code == 422, groups
        assert refused.json()["errors"][0]["field"] == field


async def test_a_restricted_caller_sees_and_changes_its_groups_customers_only(
    api: httpx.AsyncClient,
) -> None:
    tag = uuid.uuid4().hex[:8]
    north = (await create(api, name=f"{tag} north")).json()["id"]
    both = (await create(api, name=f"{tag} both")).json()["id"]
    other = (await create(api, name=f"{tag} other", customer_name="Holding")).json()
    await create(api, name=f"{tag} none")
    for cid, groups in [(north, [NORTH]), (both, [NORTH, BLUE]), (other["id"], [BLUE])]:
        assert (await set_groups(api, cid, groups)).status_code == 200

    assert await listed(api, AS_NORTH, q=tag) == [f"{tag} both", f"{tag} north"]
    assert await listed(api, {}, q=tag, group=NORTH) == [f"{tag} both", f"{tag} north"]
    assert await listed(api, AS_NORTH, q=tag, group=BLUE) == []  # not one of its groups
    assert await listed(api, AS_NORTH, q="holding") == []  # the search, within its groups
    assert len(await listed(api, {}, q=tag)) == 4
    assert await listed(api, groups_header([]), q=tag) == []  # restricted to no group

    inside = await api.get(f"/api/v1/customers/{both}", headers=AS_NORTH)
    assert inside.status_code == 200 and inside.json()["groups"] == sorted([NORTH, BLUE])
    oid, contact = other["id"], other["contacts"][0]["id"]
    tag_before = (await api.get(f"/api/v1/customers/{oid}")).headers["ETag"]
    for method, path, body in [
        ("GET", "", None),
        ("GET", "/activity", None),
        ("PATCH", "/account", {"phone": "+14155550100"}),
        ("PATCH", "/service-plan", {"plan": "Gold"}),
        ("POST", "/contacts", {"name": "Eve", "email": "eve@acme.example"}),
        ("PATCH", f"/contacts/{contact}", {"name": "Dee"}),
        ("DELETE", f"/contacts/{contact}", None),
        ("DELETE", "", None),
    ]:
        answer = await api.request(
            method,
            f"/api/v1/customers/{oid}{path}",
            json=body,
            headers=AS_NORTH | {"If-Match": "*"},
        )
        assert answer.status_code == 404, (method, path, answer.text)
    assert (await api.get(f"/api/v1/customers/{oid}")).headers["ETag"] == tag_before
    changed = await api.patch(
        f"/api/v1/customers/{north}/account",
        json={"phone": "+14155550100"},
        headers=AS_NORTH | {"If-Match": "*"},
    )
    assert changed.status_code == 200, changed.text

    # Not even within its own groups: it could otherwise move customers into them.
    moved = await set_groups(api, north, [NORTH, BLUE], **AS_NORTH)
    assert moved.status_code == 403, moved.text
    assert (await api.get(f"/api/v1/customers/{north}")).json()["groups"] == [NORTH]


async def test_a_restricted_callers_new_customer_is_in_its_groups(api: httpx.AsyncClient) -> None:
    created = await api.post(
        "/api/v1/customers",
        json={
            "account": {"name": f"Acme {uuid.uuid4().hex[:8]}"},
            "service_plan": {
                "plan": "Standard",
                "storage_region": "eu-west-1",
                "tenant_type": "commercial",
                "edition": "business",
            },
        },
        headers=AS_NORTH,
    )
    assert created.status_code == 201, created.text
    assert created.json()["groups"] == [NORTH]
    cid = created.json()["id"]
    assert (await api.get(f"/api/v1/customers/{cid}", headers=AS_NORTH)).status_code == 200


async def test_the_groups_in_use_are_listed_with_their_customer_counts(
    api: httpx.AsyncClient,
) -> None:
    assert (await api.get("/api/v1/customer-groups")).json() == {"items": []}
    for groups in ([NORTH], [NORTH, BLUE], []):
        cid = (await create(api)).json()["id"]
        assert (await set_groups(api, cid, groups)).status_code == 200
    every = await api.get("/api/v1/customer-groups")
    assert every.status_code == 200
    assert every.json()["items"] == [
        {"name": NORTH, "customers": 2},
        {"name": BLUE, "customers": 1},
    ]
    own = await api.get("/api/v1/customer-groups", headers=AS_NORTH)
    assert own.json()["items"] == [{"name": NORTH, "customers": 2}]


async def test_another_instance_restricts_by_the_groups_one_instance_set(
    infrastructure: Endpoints,
) -> None:
    settings = settings_for(infrastructure)
    tag = uuid.uuid4().hex[:8]
    async with running(create_app(settings)) as first, running(create_app(settings)) as second:
        cid = (await create(first, name=f"{tag} acme")).json()["id"]
        assert (await set_groups(first, cid, [NORTH])).status_code == 200

        async def second_lists_it() -> bool:
            return await listed(second, AS_NORTH, q=tag) == [f"{tag} acme"]

        await eventually(second_lists_it, timeout_s=15)
        groups = (await second.get("/api/v1/customer-groups")).json()["items"]
        assert groups == [{"name": NORTH, "customers": 1}]


async def test_a_customer_stored_by_the_previous_release_is_in_no_group(
    infrastructure: Endpoints,
) -> None:
    """The previous release wrote no `groups` field: such a customer reads as in no group,
    is seen by unrestricted callers only, and takes groups at its next change."""
    async with throwaway_database(infrastructure.mongodb, "it_old_groups") as db:
        cid, name = f"c-{uuid.uuid4().hex[:12]}", f"Old {uuid.uuid4().hex[:8]}"
        now = dt.datetime.now(dt.UTC)
        await db["customers"].insert_one(
            {  # the shape release 1.x wrote
                "_id": cid,
                "version": 3,
                "deleted": False,
                "name_key": name.casefold(),
                "account": {"name": name, "customer_name": None, "address": None, "phone": None},
                "service_plan": {
                    "plan": "Standard",
                    "storage_region": "eu-west-1",
                    "tenant_type": "commercial",
                    "expiry_date": None,
                    "edition": "business",
                    "credit_quota": None,
                    "credit_quota_effective_date": None,
                },
                "contacts": [],
                "former_names": [],
                "created_at": now,
                "updated_at": now,
                "revision": uuid.uuid4().hex,
            }
        )
        async with running(create_app(settings_for(infrastructure, db.name))) as api:
            read = await api.get(f"/api/v1/customers/{cid}")
            assert read.status_code == 200, read.text
            assert read.json()["groups"] == []
            assert await listed(api, {}) == [name]
            assert await listed(api, AS_NORTH) == []
            assert (await api.get(f"/api/v1/customers/{cid}", headers=AS_NORTH)).status_code == 404

            done = await set_groups(api, cid, [NORTH])
            assert done.status_code == 200, done.text
            assert done.headers["ETag"] == f'"{cid}.v4"'
            assert await listed(api, AS_NORTH) == [name]
        stored = await db["customers"].find_one({"_id": cid})
        assert stored is not None and stored["groups"] == [NORTH]
