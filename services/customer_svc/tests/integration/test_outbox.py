"""The outbox on the real database: a refused or failed write never publishes, a write
whose reply is lost is published or rolled forward, never dropped, and the revisions a
release-1 instance left are relayed by the same rule. Each interleaving is forced by a
hook on one collection operation; the relay publishes to a list."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import pathlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from bson import json_util
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect, PyMongoError

from customer_svc.adapters.mongo_customers import MongoCustomerRepository
from customer_svc.adapters.outbox_relay import OutboxRelay
from customer_svc.domain.errors import DuplicateAccountName, OutcomeUnknown, StaleVersion
from customer_svc.domain.model import Account, Contact, ServicePlan
from customer_svc.service import CustomerService
from msc_platform.tracing import Carrier
from msc_testkit.clock import FixedClock
from msc_testkit.infrastructure import Endpoints
from services.customer_svc.tests.fakes import CountingRelay, FakeUsage

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
GRACE = dt.timedelta(seconds=10)
FIXTURE = pathlib.Path(__file__).with_name("fixtures") / "outbox_1.json"
UPDATED, DELETED = "com.msc.customer.updated.v1", "com.msc.customer.deleted.v1"

Call = Callable[[], Awaitable[Any]]
Hook = Callable[[Call], Awaitable[Any]]


class Hooked:
    """A collection whose next call of `operation` goes through `hook`, which gets the real
    call to make (or not) and may do anything before and after it; later calls are plain."""

    def __init__(self, collection: Any, operation: str, hook: Hook) -> None:
        self._collection = collection
        self._operation = operation
        self._hook: Hook | None = hook

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._collection, name)
        if name != self._operation or self._hook is None:
            return real
        hook, self._hook = self._hook, None

        async def hooked(*args: Any, **kwargs: Any) -> Any:
            return await hook(lambda: real(*args, **kwargs))

        return hooked


@dataclass
class Deployment:
    """One database, a writer's service and a relay publishing to `published`."""

    db: AsyncDatabase[dict[str, Any]]
    clock: FixedClock
    repo: MongoCustomerRepository
    service: CustomerService
    relay: OutboxRelay
    published: list[dict[str, Any]] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def another_relay(self) -> OutboxRelay:
        """A relay of another instance on the same database."""
        return _relay(self)

    def hook(self, collection: str, operation: str, hook: Hook) -> None:
        setattr(self.repo, collection, Hooked(getattr(self.repo, collection), operation, hook))

    def events_of(self, customer_id: str) -> list[tuple[str, Any]]:
        return [
            (e["type"], e["data"].get("summary", {}).get("plan"))
            for e in self.published
            if e["customerid"] == customer_id
        ]


def counted(d: Deployment, name: str) -> float:
    """A counter of the deployment's relay."""
    return d.registry.get_sample_value(name) or 0.0


def _relay(d: Deployment, registry: CollectorRegistry | None = None) -> OutboxRelay:
    async def publish(key: str, value: bytes, headers: Carrier) -> None:
        d.published.append(json.loads(value))

    async def on_deleted(customer_id: str) -> None:
        d.purged.append(customer_id)

    return OutboxRelay(
        d.repo,
        publish,
        on_deleted,
        grace=GRACE,
        registry=CollectorRegistry() if registry is None else registry,
    )


@pytest.fixture
async def deployment(infrastructure: Endpoints) -> AsyncIterator[Deployment]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        infrastructure.mongodb, tz_aware=True
    )
    db = client[f"it_outbox_{uuid.uuid4().hex[:8]}"]
    clock = FixedClock(NOW)
    repo = MongoCustomerRepository(db, clock)
    await repo.ensure_indexes()
    service = CustomerService(repo, FakeUsage(), clock, CountingRelay(), ["eu-west-1"])
    d = Deployment(db, clock, repo, service, None)  # type: ignore[arg-type]
    d.relay = _relay(d, d.registry)
    try:
        yield d
    finally:
        await client.drop_database(db.name)
        await client.close()


PLAN = ServicePlan(plan="Standard", storage_region="eu-west-1")
DANA = Contact("", "Dana Lee", "dana@acme.example", "+14155550101")


async def created(d: Deployment) -> str:
    """A customer whose creation is published."""
    customer = await d.service.create(Account(f"Acme {uuid.uuid4().hex[:6]}"), PLAN, [DANA])
    await d.relay.drain()
    return customer.id


async def stale_change(d: Deployment, customer_id: str, change: str) -> Any:
    """The refused writer's change, made with the ETag of version 1."""
    etag = f'"{customer_id}.v1"'
    if change == "delete":
        return await d.service.delete(customer_id, etag, actor="mallory")
    return await d.service.update_service_plan(
        customer_id, {"plan": "Loser"}, etag, actor="mallory"
    )


def winning_first(d: Deployment, customer_id: str) -> Hook:
    """A hook on the refused writer's claim: it read version 1, then the winner stored
    and published version 2 (its revision deleted) before the claim is inserted."""

    async def hook(claim: Call) -> Any:
        await d.service.update_service_plan(customer_id, {"plan": "Winner"}, None, actor="alice")
        await d.relay.drain()
        return await claim()

    return hook


async def assert_the_winner_stands(d: Deployment, customer_id: str) -> None:
    await d.relay.drain()
    assert d.events_of(customer_id) == [
        ("com.msc.customer.created.v1", "Standard"),
        (UPDATED, "Winner"),
    ]
    assert d.purged == []
    current = await d.service.get(customer_id)
    assert (current.version, current.service_plan.plan) == (2, "Winner")
    [entry] = await d.repo.activity(customer_id, [2])
    assert (entry.actor, entry.action) == ("alice", "service_plan_updated")
    assert await d.repo.pending_revisions() == []


@pytest.mark.parametrize("change", ["update", "delete"])
async def test_a_relay_between_a_stale_claim_and_its_release_publishes_nothing(
    deployment: Deployment, change: str
) -> None:
    """The claim of a published version inserted again by a writer holding a stale ETag:
    any relay that runs before the writer reads the version and lets go drops it."""
    d = deployment
    cid = await created(d)
    wins = winning_first(d, cid)
    between: list[int] = []

    async def claim_then_relay(claim: Call) -> Any:
        result = await wins(claim)
        between.append(await d.another_relay().drain())
        return result

    d.hook("revisions", "insert_one", claim_then_relay)
    with pytest.raises(StaleVersion):
        await stale_change(d, cid, change)
    assert between == [0]
    await assert_the_winner_stands(d, cid)


@pytest.mark.parametrize("change", ["update", "delete"])
async def test_a_stale_claim_whose_release_fails_is_dropped_unpublished(
    deployment: Deployment, change: str
) -> None:
    d = deployment
    cid = await created(d)
    wins = winning_first(d, cid)

    async def release_fails(delete: Call) -> Any:
        raise AutoReconnect("connection closed")

    async def claim_then_fail_release(claim: Call) -> Any:
        result = await wins(claim)
        d.hook("revisions", "delete_one", release_fails)
        return result

    d.hook("revisions", "insert_one", claim_then_fail_release)
    with pytest.raises(StaleVersion):
        await stale_change(d, cid, change)
    assert [r["_id"] for r in await d.repo.pending_revisions()] == [f"{cid}:2"]
    d.clock.now_ += GRACE * 2  # nor once its writer looks dead
    await assert_the_winner_stands(d, cid)
    assert counted(d, "msc_outbox_dropped_total") == 1


async def test_a_relay_that_read_the_winner_before_another_published_it_keeps_to_it(
    deployment: Deployment,
) -> None:
    """Relay X read the winner's revision; relay Y published and deleted it; a stale
    writer claimed the version again; X then publishes its copy (at least once) and
    deletes its own revision, not the stale claim, which the next relay round drops."""
    d = deployment
    cid = await created(d)
    relay_x = d.another_relay()
    seen: list[Any] = []

    async def hook(claim: Call) -> Any:
        await d.service.update_service_plan(cid, {"plan": "Winner"}, None, actor="alice")
        pending = await d.repo.pending_revisions()  # relay X reads
        await d.relay.drain()  # relay Y publishes and deletes
        result = await claim()  # the stale writer's claim
        relay_x._repo = Snapshot(d.repo, pending)
        seen.append(await relay_x.drain())  # X publishes its copy
        seen.append([r["_id"] for r in await d.repo.pending_revisions()])
        seen.append(await d.relay.drain())  # the next round drops the stale claim
        return result

    d.hook("revisions", "insert_one", hook)
    with pytest.raises(StaleVersion):
        await stale_change(d, cid, "update")
    assert seen == [1, [f"{cid}:2"], 0]
    assert d.events_of(cid) == [
        ("com.msc.customer.created.v1", "Standard"),
        (UPDATED, "Winner"),
        (UPDATED, "Winner"),  # at least once
    ]
    current = await d.service.get(cid)
    assert current.service_plan.plan == "Winner"
    [entry] = await d.repo.activity(cid, [2])
    assert entry.actor == "alice"


class Snapshot:
    """The outbox as a relay saw it when it read the pending revisions a moment ago."""

    def __init__(self, repo: MongoCustomerRepository, pending: list[dict[str, Any]]) -> None:
        self._repo = repo
        self._pending = pending

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)

    async def pending_revisions(self) -> list[dict[str, Any]]:
        return self._pending


async def change(d: Deployment, operation: str, customer_id: str | None) -> Any:
    if operation == "create":
        return await d.service.create(Account("Lost Reply Co"), PLAN, [DANA], actor="alice")
    assert customer_id is not None
    if operation == "delete":
        return await d.service.delete(customer_id, None, actor="alice")
    return await d.service.update_service_plan(customer_id, {"plan": "Premium"}, None)


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
@pytest.mark.parametrize(
    "error", [AutoReconnect("reply lost"), asyncio.CancelledError()], ids=["lost", "cancelled"]
)
@pytest.mark.parametrize("operation", ["create", "update", "delete"])
async def test_a_write_whose_reply_is_lost_is_published_or_rolled_forward(
    deployment: Deployment, operation: str, error: BaseException, applied: bool
) -> None:
    d = deployment
    cid = None if operation == "create" else await created(d)

    async def reply_lost(write: Call) -> Any:
        if applied:
            await write()
        raise error

    d.hook("customers", "insert_one" if operation == "create" else "replace_one", reply_lost)
    with pytest.raises(OutcomeUnknown if isinstance(error, Exception) else type(error)):
        await change(d, operation, cid)
    [revision] = await d.repo.pending_revisions()
    cid = revision["customer_id"]
    version = revision["version"]
    await d.relay.drain()
    if not applied:  # its writer may still be writing: it is rolled forward once gone
        assert len(d.events_of(cid)) == (0 if operation == "create" else 1)
        d.clock.now_ += GRACE
        await d.relay.drain()
        assert counted(d, "msc_outbox_rolled_forward_total") == 1
    expected = {"create": "com.msc.customer.created.v1", "update": UPDATED, "delete": DELETED}
    assert d.events_of(cid)[-1][0] == expected[operation]
    assert await d.repo.current_version(cid) == version
    assert (await d.repo.stored([cid])).get(cid) is (operation == "delete")
    assert d.purged == ([cid] if operation == "delete" else [])
    assert [e.version for e in await d.repo.activity(cid, [version])] == [version]
    assert await d.repo.pending_revisions() == []


@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
async def test_a_commit_whose_reply_is_lost_is_rolled_forward_or_dropped(
    deployment: Deployment, applied: bool
) -> None:
    """Committed, the change is rolled forward once its writer is gone; not committed,
    it can never be visible, so it is dropped and the version is free again."""
    d = deployment
    cid = await created(d)

    async def reply_lost(commit: Call) -> Any:
        if applied:
            await commit()
        raise AutoReconnect("reply lost")

    d.hook("revisions", "update_one", reply_lost)
    with pytest.raises(OutcomeUnknown):
        await change(d, "update", cid)
    assert (await d.service.get(cid)).version == 1
    d.clock.now_ += GRACE
    await d.relay.drain()
    current = await d.service.get(cid)
    assert current.service_plan.plan == ("Premium" if applied else "Standard")
    assert d.events_of(cid)[1:] == ([(UPDATED, "Premium")] if applied else [])
    assert await d.repo.pending_revisions() == []
    if not applied:
        changed = await d.service.update_service_plan(cid, {"plan": "Again"}, current.etag)
        assert changed.version == 2


@pytest.mark.parametrize("moved_on", [False, True], ids=["shown", "moved-on"])
async def test_a_relay_that_read_a_claim_before_its_commit_still_publishes_it(
    deployment: Deployment, moved_on: bool
) -> None:
    """The relay's copy of a revision says uncommitted; by the time it compares, the
    writer committed and stored it (and maybe the next version too)."""
    d = deployment
    cid = await created(d)
    seen: list[list[dict[str, Any]]] = []

    async def read_before_commit(commit: Call) -> Any:
        seen.append(await d.repo.pending_revisions())
        return await commit()

    d.hook("revisions", "update_one", read_before_commit)
    await change(d, "update", cid)
    if moved_on:
        await d.service.update_account(cid, {"phone": "+14155550100"}, None)
    [[copy]] = seen
    assert copy["committed"] is False
    relay = d.another_relay()
    relay._repo = Snapshot(d.repo, [copy])  # type: ignore[assignment]
    assert await relay.drain() == 1
    await d.relay.drain()
    assert [t for t, _ in d.events_of(cid)] == ["com.msc.customer.created.v1"] + [UPDATED] * (
        2 if moved_on else 1
    )
    assert await d.repo.pending_revisions() == []


async def test_a_writer_slower_than_the_grace_cannot_revive_its_dropped_claim(
    deployment: Deployment,
) -> None:
    d = deployment
    cid = await created(d)

    async def judged_dead(commit: Call) -> Any:
        d.clock.now_ += GRACE
        await d.relay.drain()  # not committed: dropped
        return await commit()

    d.hook("revisions", "update_one", judged_dead)
    with pytest.raises(StaleVersion):
        await change(d, "update", cid)
    await d.relay.drain()
    assert d.events_of(cid) == [("com.msc.customer.created.v1", "Standard")]
    assert (await d.service.get(cid)).version == 1


async def test_a_name_refused_while_the_relay_waits_is_never_published(
    deployment: Deployment,
) -> None:
    """A rename refused for a taken name: a relay between the refusal and the release
    waits, then (the writer looking dead) tries to roll it forward, is refused too, and
    drops it."""
    d = deployment
    taken = await d.service.create(Account("Taken Co"), PLAN, [DANA])
    cid = await created(d)

    async def refused_then_relay(write: Call) -> Any:
        try:
            return await write()
        except PyMongoError:
            assert await d.relay.drain() == 0  # undecided: its writer may be writing
            d.clock.now_ += GRACE
            assert await d.relay.drain() == 0  # tried, refused, dropped
            raise

    d.hook("customers", "replace_one", refused_then_relay)
    with pytest.raises(DuplicateAccountName):
        await d.service.update_account(cid, {"name": taken.account.name}, None)
    assert [t for t, _ in d.events_of(cid)] == ["com.msc.customer.created.v1"]
    assert (await d.service.get(cid)).version == 1
    assert await d.repo.activity(cid, [2]) == []
    assert await d.repo.pending_revisions() == []
    assert counted(d, "msc_outbox_dropped_total") == 1


async def test_release_1_relays_in_a_rolling_upgrade_do_not_see_new_revisions(
    deployment: Deployment,
) -> None:
    """Release 1's relay reads `{"published": False}` and publishes whatever version is
    visible: it must leave this release's revisions, stale claims among them, alone."""
    d = deployment
    await d.service.create(Account("Rolling Co"), PLAN, [DANA])
    assert await d.repo.revisions.count_documents({}) == 1
    assert await d.repo.revisions.count_documents({"published": False}) == 0


async def load_release_1(db: AsyncDatabase[dict[str, Any]]) -> dict[str, str]:
    dump = json_util.loads(FIXTURE.read_text())
    for name, docs in dump["collections"].items():
        await db[name].insert_many(docs)
    cases: dict[str, str] = dump["customers_by_case"]
    return cases


async def test_revisions_release_1_left_are_relayed_by_the_same_rule(
    deployment: Deployment,
) -> None:
    """`outbox_1.json` was written by release 1's code (`fixtures/README.md`): its pending
    changes are published, its refused re-claims dropped, the one
    whose writer died rolled forward, and no refused change touches the trail."""
    d = deployment
    case = await load_release_1(d.db)
    d.clock.now_ = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)  # an hour on
    await d.relay.drain()
    await d.relay.drain()
    assert d.events_of(case["pending"]) == [
        ("com.msc.customer.created.v1", "Standard"),
        (UPDATED, "Premium"),
    ]
    assert d.events_of(case["refused"]) == []
    assert d.events_of(case["refused_deletion"]) == []
    assert d.events_of(case["died"]) == [(UPDATED, "Rolled")]
    assert d.events_of(case["deleted"]) == [(DELETED, None)]
    assert d.purged == [case["deleted"]]
    assert await d.repo.pending_revisions() == []

    refused = await d.service.get(case["refused"])
    assert (refused.version, refused.service_plan.plan) == (2, "Winner")
    [entry] = await d.repo.activity(case["refused"], [2])
    assert entry.actor == "alice"
    assert [(c.field, c.new) for c in entry.changes] == [("service_plan.plan", "Winner")]
    kept = await d.service.get(case["refused_deletion"])
    assert kept.version == 2 and kept.account.phone == "+14155550199"
    [entry] = await d.repo.activity(case["refused_deletion"], [2])
    assert (entry.actor, entry.action) == ("alice", "account_updated")
    rolled = await d.service.get(case["died"])
    assert (rolled.version, rolled.service_plan.plan) == (2, "Rolled")
    assert [e.version for e in await d.repo.activity(case["died"], [2])] == [2]

    gone = case["deleted"]
    assert (await d.repo.stored([gone])).get(gone)
    deletion, creation = await d.repo.activity(gone, [2, 1])
    assert (deletion.action, deletion.actor) == ("deleted", "alice")
    assert (creation.action, creation.actor, creation.at) == ("created", "alice", creation.at)
    assert creation.changes and all(c.old is c.new is None for c in creation.changes)
    assert "contacts." in creation.changes[-1].field


async def test_a_deleted_customers_trail_keeps_who_when_and_which_fields_only(
    deployment: Deployment,
) -> None:
    d = deployment
    cid = await created(d)
    updated = await d.service.update_account(cid, {"phone": "+14155550100"}, None, "bob")
    before = await d.repo.activity(cid, [2, 1])
    await d.service.delete(cid, updated.etag, actor="carol")
    await d.relay.drain()
    after = await d.repo.activity(cid, [3, 2, 1])
    assert [(e.version, e.action, e.actor, e.at) for e in after[1:]] == [
        (e.version, e.action, e.actor, e.at) for e in before
    ]
    assert [[c.field for c in e.changes] for e in after[1:]] == [
        [c.field for c in e.changes] for e in before
    ]
    flat = json.dumps(
        [doc async for doc in d.db["customer_activity"].find({"customer_id": cid})],
        default=str,
    )
    for personal in ("Dana Lee", "dana@acme.example", "+14155550101", "+14155550100"):
        assert personal not in flat
    assert (after[0].action, after[0].actor) == ("deleted", "carol")


async def test_trails_of_customers_release_1_deleted_are_erased_at_start(
    deployment: Deployment,
) -> None:
    d = deployment
    case = await load_release_1(d.db)
    gone = case["deleted"]
    # As release 1's relay left it: the deletion published, the trail as written.
    await d.repo.revisions.delete_one({"_id": f"{gone}:2"})
    [entry] = await d.repo.activity(gone, [1])
    assert any(c.new == "dana@acme.example" for c in entry.changes)
    relay = d.another_relay()
    relay.start()
    try:

        async def erased() -> bool:
            [entry] = await d.repo.activity(gone, [1])
            return all(c.new is None for c in entry.changes)

        for _ in range(100):
            if await erased():
                break
            await asyncio.sleep(0.05)
        assert await erased()
    finally:
        await relay.stop()
    live = case["pending"]
    [entry] = await d.repo.activity(live, [1])
    assert any(c.new == "dana@acme.example" for c in entry.changes)


async def test_a_replacement_landing_after_a_successor_does_not_take_the_customer_back(
    deployment: Deployment,
) -> None:
    """The writer's replacement is so slow that the relay rolls its change forward and a
    successor is stored meanwhile: when it lands it changes nothing (it names the version
    it replaces), so the customer stays what the last event says."""
    d = deployment
    cid = await created(d)

    async def slower_than_the_grace(write: Call) -> Any:
        d.clock.now_ += GRACE
        await d.relay.drain()  # committed: rolled forward and published as version 2
        await d.service.update_service_plan(cid, {"plan": "Enterprise"}, None)  # version 3
        await d.relay.drain()
        return await write()

    d.hook("customers", "replace_one", slower_than_the_grace)
    await change(d, "update", cid)  # Premium, as version 2
    await d.relay.drain()
    customer = await d.service.get(cid)
    assert (customer.version, customer.service_plan.plan) == (3, "Enterprise")
    assert d.events_of(cid) == [
        ("com.msc.customer.created.v1", "Standard"),
        ("com.msc.customer.updated.v1", "Premium"),
        ("com.msc.customer.updated.v1", "Enterprise"),
    ]


async def test_a_refusal_whose_claim_cannot_be_released_is_not_told_refused(
    deployment: Deployment,
) -> None:
    """A rename refused for a taken name whose claim then cannot be deleted stays claimed
    and committed: were the name freed, the relay would store it after all, so the caller
    hears that the outcome is unknown (503), not that it was refused (409)."""
    d = deployment
    taken = await d.service.create(Account("Taken Co"), PLAN, [DANA])
    cid = await created(d)

    async def lost(delete: Call) -> Any:
        raise AutoReconnect("connection lost")

    d.hook("revisions", "delete_one", lost)
    with pytest.raises(OutcomeUnknown):
        await d.service.update_account(cid, {"name": taken.account.name}, None)


async def test_a_roll_forward_meeting_its_writers_late_replacement_still_publishes(
    deployment: Deployment,
) -> None:
    """The writer's reply is lost; when the relay rolls the change forward, the writer's own
    replacement lands between the relay's check and its write, which then collides: the
    change is stored, so its event goes out all the same."""
    d = deployment
    cid = await created(d)

    async def reply_lost(write: Call) -> Any:
        raise AutoReconnect("reply lost")  # not applied yet: it lands later

    d.hook("customers", "replace_one", reply_lost)
    with pytest.raises(OutcomeUnknown):
        await change(d, "update", cid)
    [revision] = await d.repo.pending_revisions()

    async def writer_lands_first(write: Call) -> Any:
        previous = {"_id": cid, "version": 1}
        await d.db["customers"].replace_one(previous, revision["state"])
        return await write()

    d.hook("customers", "replace_one", writer_lands_first)
    d.clock.now_ += GRACE
    await d.relay.drain()
    assert d.events_of(cid)[-1] == ("com.msc.customer.updated.v1", "Premium")
    assert (await d.service.get(cid)).version == 2
