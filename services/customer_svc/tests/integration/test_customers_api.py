"""The Summary tab's API on the real database: every rule of CONTRACT.md section 3."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from typing import Any

import httpx
import jwt
import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect, DuplicateKeyError

from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.domain.model import Account, ServicePlan
from customer_svc.service import CustomerService
from msc_platform.clock import SystemClock
from msc_platform.http import ACTOR_HEADER
from msc_platform.service_token import mint_service_token
from msc_testkit.infrastructure import Endpoints
from services.customer_svc.tests.fakes import CountingRelay, FakeUsage

PLAN = {
    "plan": "Standard",
    "storage_region": "eu-west-1",
    "tenant_type": "evaluation",
    "edition": "business",
    "expiry_date": "2027-06-30",
    "credit_quota": 5000,
    "credit_quota_effective_date": "2026-07-01",
}


def new_customer(name: str | None = None, **account: Any) -> dict[str, Any]:
    return {
        "account": {"name": name or f"Acme {uuid.uuid4().hex[:8]}", **account},
        "service_plan": dict(PLAN),
        "contacts": [{"name": "Dana Lee", "email": "dana@acme.example", "phone": "+14155550101"}],
    }


async def create(api: httpx.AsyncClient, **kwargs: Any) -> httpx.Response:
    answer = await api.post("/api/v1/customers", json=new_customer(**kwargs))
    assert answer.status_code == 201, answer.text
    return answer


async def test_create_then_read(api: httpx.AsyncClient) -> None:
    created = await create(api, customer_name="Acme Corp", phone="+14155550100")
    body = created.json()
    assert created.headers["Location"] == f"/api/v1/customers/{body['id']}"
    read = await api.get(f"/api/v1/customers/{body['id']}")
    assert read.status_code == 200
    assert read.headers["ETag"] == created.headers["ETag"]
    assert read.json() == body
    assert body["service_plan"] == PLAN
    assert body["consumption"] == {
        "window_days": 90,
        "credits_consumed": 0.0,
        "storage_consumed_bytes": 0,
        "daily": [],
    }
    assert body["contacts"][0]["id"].startswith("k-")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["account"].update(name=""), "account.name"),
        (lambda b: b["account"].update(name="x" * 201), "account.name"),
        # what the events carry (tests/contract/test_field_bounds.py): one line, 200 characters
        (lambda b: b["account"].update(customer_name="x" * 201), "account.customer_name"),
        (lambda b: b["account"].update(customer_name="Acme\tCorp"), "account.customer_name"),
        (lambda b: b["account"].update(name="Acme\nEurope"), "account.name"),
        (lambda b: b["account"].update(address="Main St\x00"), "account.address"),
        (lambda b: b["service_plan"].update(plan="Go\x85ld"), "service_plan.plan"),
        (lambda b: b["contacts"][0].update(name="Dana\x1bLee"), "contacts.0.name"),
        (lambda b: b["account"].update(phone="4155550100"), "account.phone"),
        (lambda b: b["account"].update(phone="+1234567"), "account.phone"),
        (lambda b: b["service_plan"].update(tenant_type="free"), "service_plan.tenant_type"),
        (lambda b: b["service_plan"].update(edition="gold"), "service_plan.edition"),
        (
            lambda b: b["service_plan"].update(storage_region="mars-1"),
            "service_plan.storage_region",
        ),
        (lambda b: b["service_plan"].update(expiry_date="30/06/2027"), "service_plan.expiry_date"),
        (lambda b: b["service_plan"].update(credit_quota=-1), "service_plan.credit_quota"),
        (lambda b: b["service_plan"].update(credit_quota=1.5), "service_plan.credit_quota"),
        (lambda b: b["service_plan"].update(credit_quota=10**23), "service_plan.credit_quota"),
        (
            lambda b: b["service_plan"].update(storage_region="r" * 10_000),
            "service_plan.storage_region",
        ),
        (lambda b: b.update(contacts=b["contacts"] * 101), "contacts"),
        (lambda b: b["contacts"][0].update(email="dana@"), "contacts.0.email"),
        (lambda b: b["contacts"][0].update(phone="+1 415"), "contacts.0.phone"),
        (lambda b: b.pop("service_plan"), "service_plan"),
        (lambda b: b["account"].update(nickname="x"), "account.nickname"),
    ],
)
async def test_invalid_bodies_are_422_naming_the_field(
    api: httpx.AsyncClient, change: Any, field: str
) -> None:
    body = new_customer()
    change(body)
    answer = await api.post("/api/v1/customers", json=body)
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422 and problem["title"] and problem["type"]
    assert field in [e["field"] for e in problem["errors"]], problem


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers/%2E%2E",
        "/api/v1/customers/c-1%2Fcontacts",
        "/api/v1/customers/c%20x",
        "/api/v1/customers/" + "c" * 129,
    ],
)
async def test_paths_whose_ids_are_not_ids_are_not_found(api: httpx.AsyncClient, path: str) -> None:
    for method in ("GET", "DELETE"):
        answer = await api.request(method, path, headers={"If-Match": "*"})
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json"


async def test_names_are_unique_regardless_of_case(api: httpx.AsyncClient) -> None:
    name = f"Acme {uuid.uuid4().hex[:8]}"
    await create(api, name=name)
    again = await api.post("/api/v1/customers", json=new_customer(name=name.upper()))
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "account.name"


async def test_a_rename_to_a_taken_name_is_refused(api: httpx.AsyncClient) -> None:
    """FerretDB answers an update that breaks the unique name index with an InternalError,
    not a duplicate key: it once came back as 500."""
    name = f"Acme {uuid.uuid4().hex[:8]}"
    await create(api, name=name)
    other = await create(api)
    renamed = await api.patch(
        f"/api/v1/customers/{other.json()['id']}/account",
        json={"name": name.lower()},
        headers={"If-Match": other.headers["ETag"]},
    )
    assert renamed.status_code == 409, renamed.text
    assert renamed.json()["errors"][0]["field"] == "account.name"
    again = await api.get(f"/api/v1/customers/{other.json()['id']}")
    assert again.headers["ETag"] == other.headers["ETag"]


async def test_racing_creates_of_one_name_make_one_customer(api: httpx.AsyncClient) -> None:
    name = f"Race {uuid.uuid4().hex[:8]}"
    answers = await asyncio.gather(
        *(
            api.post(
                "/api/v1/customers", json=new_customer(name=name.swapcase() if i % 2 else name)
            )
            for i in range(10)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 9


async def test_patch_needs_the_current_etag(api: httpx.AsyncClient) -> None:
    created = await create(api)
    cid, etag = created.json()["id"], created.headers["ETag"]
    ok = await api.patch(
        f"/api/v1/customers/{cid}/account",
        json={"address": "1 Main St"},
        headers={"If-Match": etag},
    )
    assert ok.status_code == 200 and ok.headers["ETag"] != etag
    assert ok.json()["account"]["address"] == "1 Main St"
    assert ok.json()["account"]["name"] == created.json()["account"]["name"]
    stale = await api.patch(
        f"/api/v1/customers/{cid}/account",
        json={"address": "2 Main St"},
        headers={"If-Match": etag},
    )
    assert stale.status_code == 412
    assert stale.headers["Content-Type"] == "application/problem+json"
    bad = await api.patch(
        f"/api/v1/customers/{cid}/service-plan",
        json={"edition": None},
        headers={"If-Match": ok.headers["ETag"]},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "edition"


async def test_many_writers_with_one_etag_exactly_one_wins(api: httpx.AsyncClient) -> None:
    created = await create(api)
    cid, etag = created.json()["id"], created.headers["ETag"]
    answers = await asyncio.gather(
        *(
            api.patch(
                f"/api/v1/customers/{cid}/account",
                json={"address": f"{i} Writer Lane"},
                headers={"If-Match": etag},
            )
            for i in range(20)
        )
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [412] * 19, codes
    winner = next(a for a in answers if a.status_code == 200)
    now = await api.get(f"/api/v1/customers/{cid}")
    assert now.headers["ETag"] == winner.headers["ETag"]
    assert now.json()["account"]["address"] == winner.json()["account"]["address"]
    assert now.json()["contacts"] == created.json()["contacts"]


async def test_contacts_add_edit_delete(api: httpx.AsyncClient) -> None:
    created = await create(api)
    cid, etag = created.json()["id"], created.headers["ETag"]
    added = await api.post(
        f"/api/v1/customers/{cid}/contacts",
        json={"name": "Sam Roe", "email": "sam@acme.example"},
        headers={"If-Match": etag},
    )
    assert added.status_code == 201
    contact = added.json()
    assert added.headers["Location"].endswith(f"/contacts/{contact['id']}")
    edited = await api.patch(
        f"/api/v1/customers/{cid}/contacts/{contact['id']}",
        json={"phone": "+442071234567"},
        headers={"If-Match": added.headers["ETag"]},
    )
    assert edited.status_code == 200 and edited.json()["phone"] == "+442071234567"
    bad = await api.patch(
        f"/api/v1/customers/{cid}/contacts/{contact['id']}", json={"email": "nope"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    deleted = await api.delete(
        f"/api/v1/customers/{cid}/contacts/{contact['id']}",
        headers={"If-Match": edited.headers["ETag"]},
    )
    assert deleted.status_code == 204
    names = [c["name"] for c in (await api.get(f"/api/v1/customers/{cid}")).json()["contacts"]]
    assert names == ["Dana Lee"]
    missing = await api.delete(f"/api/v1/customers/{cid}/contacts/{contact['id']}")
    assert missing.status_code == 404


async def test_delete_customer(api: httpx.AsyncClient) -> None:
    created = await create(api)
    cid = created.json()["id"]
    stale = await api.delete(f"/api/v1/customers/{cid}", headers={"If-Match": '"nope"'})
    assert stale.status_code == 412
    gone = await api.delete(
        f"/api/v1/customers/{cid}", headers={"If-Match": created.headers["ETag"]}
    )
    assert gone.status_code == 204
    assert (await api.get(f"/api/v1/customers/{cid}")).status_code == 404
    assert (
        await api.patch(f"/api/v1/customers/{cid}/account", json={"address": "x"})
    ).status_code == 404
    # The name can be used again.
    await create(api, name=created.json()["account"]["name"])


async def test_list_search_and_paging(api: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:6]
    names = [f"{tag} {letter}" for letter in "ECADB"]
    for name in names:
        await create(api, name=name, customer_name=f"Holding {letter_of(name)}")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": tag.upper(), "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await api.get("/api/v1/customers", params=params)).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(names)
    item = (await api.get("/api/v1/customers", params={"q": "holding c"})).json()["items"]
    assert [i["name"] for i in item if i["name"].startswith(tag)] == [f"{tag} C"]
    assert set(item[0]) == {
        "id",
        "name",
        "customer_name",
        "plan",
        "edition",
        "tenant_type",
        "storage_region",
        "expiry_date",
        "quota_used",
        "plan_badges",
    }
    assert (item[0]["quota_used"], item[0]["plan_badges"]) == (0.0, [])  # no usage yet
    for bad in ({"limit": 0}, {"limit": 201}, {"cursor": "garbage"}):
        answer = await api.get("/api/v1/customers", params=bad)
        assert answer.status_code == 422, bad


def letter_of(name: str) -> str:
    return name[-1]


async def test_only_the_gateway_may_call(api: httpx.AsyncClient) -> None:
    """Not a way around the gateway: a missing token, a forged one, or even a user's own
    portal token is refused; the gateway's service token is what the fixture sends."""
    secret = os.environ["MSC_JWT_SECRET"]
    user = jwt.encode(
        {"sub": "u", "role": "msp_admin", "exp": dt.datetime.now(dt.UTC) + dt.timedelta(1)},
        secret,
        algorithm="HS256",
    )
    forged = mint_service_token("x" * 40)
    for authorization in ("", f"Bearer {user}", f"Bearer {forged}", "Basic abc"):
        for method, path in (("GET", "/api/v1/customers"), ("DELETE", "/api/v1/customers/c-1")):
            answer = await api.request(method, path, headers={"Authorization": authorization})
            assert answer.status_code == 401, (authorization, method)
            assert answer.headers["Content-Type"] == "application/problem+json"
    assert (await api.get("/api/v1/customers")).status_code == 200
    assert (await api.get("/healthz")).status_code == 200  # probes stay open


async def test_the_activity_says_who_changed_what_and_when(api: httpx.AsyncClient) -> None:
    alice, bob = {ACTOR_HEADER: "alice%40msp.example"}, {ACTOR_HEADER: "Bob%20Z%C3%B6e"}
    answer = await api.post("/api/v1/customers", json=new_customer(), headers=alice)
    customer_id, etag = answer.json()["id"], answer.headers["ETag"]
    changed = await api.patch(
        f"/api/v1/customers/{customer_id}/service-plan",
        json={"credit_quota": 7000},
        headers=bob | {"If-Match": etag},
    )
    assert changed.status_code == 200
    page = (await api.get(f"/api/v1/customers/{customer_id}/activity?limit=1")).json()
    assert page["next_cursor"] == "1"
    [newest] = page["items"]
    assert (newest["version"], newest["action"], newest["actor"]) == (
        2,
        "service_plan_updated",
        "Bob Zöe",
    )
    assert newest["changes"] == [{"field": "service_plan.credit_quota", "old": 5000, "new": 7000}]
    older = await api.get(f"/api/v1/customers/{customer_id}/activity?cursor=1")
    [first] = older.json()["items"]
    assert (first["action"], first["actor"]) == ("created", "alice@msp.example")
    assert older.json()["next_cursor"] is None
    for bad in ("3", "0", "abc"):
        refused = await api.get(f"/api/v1/customers/{customer_id}/activity?cursor={bad}")
        assert refused.status_code == 422, bad
    assert (await api.get("/api/v1/customers/c-nobody/activity")).status_code == 404


async def test_an_entry_its_writer_did_not_record_is_recorded_by_the_relay(
    infrastructure: Endpoints,
) -> None:
    """A writer that died after its change was visible but before it recorded the entry:
    the relay records it from the revision before deleting the revision."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infrastructure.mongodb)
    try:
        repo = MongoCustomerRepository(client[f"it_activity_{uuid.uuid4().hex[:8]}"], SystemClock())
        service = CustomerService(repo, FakeUsage(), SystemClock(), CountingRelay(), ["eu-west-1"])
        created = await service.create(Account("Acme"), ServicePlan(plan="S"), actor="alice")
        await repo.activities.delete_many({})
        assert await repo.activity(created.id, [1]) == []
        for revision in await repo.pending_revisions():
            await repo.mark_published(revision)
        [entry] = await repo.activity(created.id, [1])
        assert (entry.action, entry.actor, entry.version) == ("created", "alice", 1)
    finally:
        await client.close()


class RacingActivities:
    """The activity collection as a writer sees it when the relay (or a database hiccup)
    gets in its way: each upsert fails once with `error`."""

    def __init__(self, collection: Any, error: Exception) -> None:
        self._collection = collection
        self._error = error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    async def replace_one(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error


@pytest.mark.parametrize(
    "error",
    [DuplicateKeyError("E11000 duplicate key: the relay upserted it"), AutoReconnect("gone")],
)
async def test_a_change_stands_when_its_writer_cannot_record_the_entry(
    infrastructure: Endpoints, error: Exception
) -> None:
    """`make bench-customer` once got a PATCH answered 500: the writer and the relay had
    upserted one entry at once. The change is made either way; the relay records it."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infrastructure.mongodb)
    try:
        repo = MongoCustomerRepository(client[f"it_race_{uuid.uuid4().hex[:8]}"], SystemClock())
        service = CustomerService(repo, FakeUsage(), SystemClock(), CountingRelay(), ["eu-west-1"])
        activities = repo.activities
        repo.activities = RacingActivities(activities, error)  # type: ignore[assignment]
        created = await service.create(Account("Acme"), ServicePlan(plan="S"), actor="alice")
        changed = await service.update_account(created.id, {"phone": "+14155550100"}, None)
        assert (await service.get(created.id)).version == changed.version == 2
        repo.activities = activities  # type: ignore[assignment]
        for revision in await repo.pending_revisions():
            await repo.mark_published(revision)
        assert [e.version for e in await repo.activity(created.id, [2, 1])] == [2, 1]
    finally:
        await client.close()
