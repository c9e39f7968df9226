"""Customer groups on in-memory fakes: who sets them, what they change in the trail, and
what a caller restricted to some groups sees of the list and of each customer."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from customer_svc.config import DEFAULT_REGIONS
from customer_svc.domain.customer_groups import narrowed, visible
from customer_svc.domain.customer_list import CustomerList
from customer_svc.domain.errors import CustomerNotFound, InvalidField, RestrictedCaller
from customer_svc.domain.model import Account, Contact, Customer, ServicePlan
from customer_svc.service import CustomerService
from msc_contracts import events
from msc_contracts.bounds import MAX_GROUPS
from msc_testkit.clock import FixedClock
from services.customer_svc.tests.fakes import CountingRelay, FakeCustomers, FakeUsage

NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
PLAN = ServicePlan(plan="Standard", storage_region="us-east-1")
NORTH = frozenset({"north"})


@pytest.fixture
def customers() -> FakeCustomers:
    return FakeCustomers()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def service(customers: FakeCustomers, clock: FixedClock) -> CustomerService:
    built = CustomerService(customers, FakeUsage(), clock, CountingRelay(), DEFAULT_REGIONS)
    built.customer_list.filled = True
    built.recent_usage.filled = True
    return built


async def grouped(service: CustomerService, name: str, *groups: str) -> Customer:
    created = await service.create(Account(name), PLAN)
    return await service.set_groups(created.id, groups, created.etag, actor="admin")


def test_a_restricted_caller_sees_the_customers_of_at_least_one_of_its_groups() -> None:
    customer = Customer("c-1", Account("Acme"), PLAN, groups=frozenset({"north", "blue"}))
    assert visible(customer, None)
    assert visible(customer, frozenset({"blue", "south"}))
    assert not visible(customer, frozenset({"south"}))
    assert not visible(customer, frozenset())
    assert not visible(Customer("c-2", Account("Bravo"), PLAN), NORTH)


def test_a_group_asked_for_narrows_the_restriction_never_widens_it() -> None:
    assert narrowed(None, None) is None
    assert narrowed(None, "north") == NORTH
    assert narrowed(frozenset({"north", "south"}), "north") == NORTH
    assert narrowed(NORTH, "south") == frozenset()
    assert narrowed(NORTH, None) == NORTH


async def test_setting_groups_is_a_change_with_its_version_event_and_trail_entry(
    service: CustomerService, customers: FakeCustomers
) -> None:
    created = await service.create(Account("Acme"), PLAN, actor="alice")
    first = await service.set_groups(created.id, ["north", "blue"], created.etag, actor="root")
    assert first.groups == {"north", "blue"} and first.version == 2
    second = await service.set_groups(created.id, ["blue", "south"], first.etag, actor="root")
    assert customers.published[-1] == (created.id, events.CUSTOMER_UPDATED)
    page = await service.activity(created.id, limit=10, cursor=None)
    latest, earlier, _ = page.entries
    assert (latest.version, latest.action, latest.actor) == (3, "groups_updated", "root")
    assert [(c.field, c.old, c.new) for c in latest.changes] == [
        ("groups.north", "north", None),
        ("groups.south", None, "south"),
    ]
    assert [(c.field, c.old, c.new) for c in earlier.changes] == [
        ("groups.blue", None, "blue"),
        ("groups.north", None, "north"),
    ]
    assert (await service.get(created.id)).groups == second.groups


async def test_only_a_caller_without_a_restriction_sets_groups(service: CustomerService) -> None:
    customer = await grouped(service, "Acme", "north")
    with pytest.raises(RestrictedCaller):  # it could move customers into its own groups
        await service.set_groups(customer.id, ["north", "south"], customer.etag, restriction=NORTH)
    assert (await service.get(customer.id)).version == customer.version


async def test_a_customer_is_in_at_most_its_share_of_groups(service: CustomerService) -> None:
    created = await service.create(Account("Acme"), PLAN)
    names = [f"g{i}" for i in range(MAX_GROUPS + 1)]
    with pytest.raises(InvalidField) as refused:
        await service.set_groups(created.id, names, created.etag)
    assert refused.value.field == "groups"
    done = await service.set_groups(created.id, [*names[:MAX_GROUPS], "g0"], created.etag)
    assert len(done.groups) == MAX_GROUPS


async def test_a_customer_outside_the_callers_groups_is_missing_to_it_for_reads_and_writes(
    service: CustomerService,
) -> None:
    south = await grouped(service, "Acme", "south")
    _, contact = await service.add_contact(south.id, Contact("", "Dana", "d@a.example"), None)
    tag = (await service.get(south.id)).etag
    attempts = [
        service.get(south.id, NORTH),
        service.activity(south.id, 10, None, NORTH),
        service.update_account(south.id, {"phone": "+14155550100"}, tag, restriction=NORTH),
        service.update_service_plan(south.id, {"plan": "Gold"}, tag, restriction=NORTH),
        service.add_contact(south.id, Contact("", "Eve", "e@a.example"), tag, restriction=NORTH),
        service.update_contact(south.id, contact.id, {"name": "D"}, tag, restriction=NORTH),
        service.delete_contact(south.id, contact.id, tag, restriction=NORTH),
        service.delete(south.id, tag, restriction=NORTH),
    ]
    for attempt in attempts:
        with pytest.raises(CustomerNotFound):
            await attempt
    assert (await service.get(south.id)).etag == tag  # nothing changed
    inside = frozenset({"north", "south"})
    changed = await service.update_account(south.id, {"phone": "+14155550100"}, tag, None, inside)
    assert changed.version == south.version + 2


async def test_a_restricted_callers_new_customer_is_in_its_groups(
    service: CustomerService,
) -> None:
    created = await service.create(Account("Acme"), PLAN, actor="tech", restriction=NORTH)
    assert created.groups == NORTH
    assert (await service.get(created.id, NORTH)).id == created.id
    (entry,) = (await service.activity(created.id, 10, None)).entries
    assert ("groups.north", None, "north") in {(c.field, c.old, c.new) for c in entry.changes}
    assert (await service.create(Account("Bravo"), PLAN)).groups == frozenset()


async def test_the_list_of_a_restricted_caller_pages_through_its_groups_only(
    service: CustomerService,
) -> None:
    for n, groups in enumerate([("north",), ("south",), ("north", "south"), (), ("blue",)] * 3):
        await grouped(service, f"Customer {n:02}", *groups)

    async def names(restriction: frozenset[str] | None, group: str | None = None) -> list[str]:
        seen, cursor = [], None
        while True:
            page = await service.list(None, 2, cursor, restriction, group)
            seen += [c.account.name for c in page.customers]
            if (cursor := page.next_cursor) is None:
                return seen

    north = [
        "Customer 00",
        "Customer 02",
        "Customer 05",
        "Customer 07",
        "Customer 10",
        "Customer 12",
    ]
    assert await names(NORTH) == north
    assert await names(None, "north") == north
    assert len(await names(None)) == 15
    assert await names(frozenset({"north", "blue"}), "blue") == [
        "Customer 04",
        "Customer 09",
        "Customer 14",
    ]
    assert await names(NORTH, "south") == []  # not one of its groups
    assert await names(frozenset()) == []
    found = await service.list("02", 10, None, NORTH)
    assert [c.account.name for c in found.customers] == ["Customer 02"]
    assert (await service.list("01", 10, None, NORTH)).customers == []


async def test_a_renamed_customer_outside_the_callers_groups_stays_out_of_its_pages(
    service: CustomerService, clock: FixedClock
) -> None:
    await grouped(service, "Bravo", "north")
    foxtrot = await grouped(service, "Foxtrot", "north")
    delta = await grouped(service, "Delta", "south")
    first = await service.list(None, 1, None, NORTH)
    assert [c.account.name for c in first.customers] == ["Bravo"]
    # Renamed after the first page, each keeps its place under its former name.
    clock.now_ = NOW + dt.timedelta(minutes=1)
    await service.update_account(delta.id, {"name": "Charlie"}, delta.etag)
    await service.update_account(foxtrot.id, {"name": "Aardvark"}, foxtrot.etag)
    second = await service.list(None, 10, first.next_cursor, NORTH)
    assert [c.account.name for c in second.customers] == ["Aardvark"]
    unrestricted = await service.list(None, 10, first.next_cursor)
    assert [c.account.name for c in unrestricted.customers] == ["Charlie", "Aardvark"]


async def test_groups_in_use_are_counted_as_customers_join_leave_and_go(
    service: CustomerService,
) -> None:
    acme = await grouped(service, "Acme", "north", "blue")
    bravo = await grouped(service, "Bravo", "north")
    assert await service.groups() == {"north": 2, "blue": 1}
    assert await service.groups(NORTH) == {"north": 2}
    acme = await service.set_groups(acme.id, ["south"], acme.etag)
    await service.delete(bravo.id, bravo.etag)
    assert await service.groups() == {"south": 1}
    assert await service.groups(NORTH) == {}


def test_the_list_counts_each_customer_once_whatever_the_order_of_its_versions() -> None:
    versions = [
        Customer("c-1", Account("Acme"), PLAN, groups=frozenset({"north"}), version=1),
        Customer("c-1", Account("Acme"), PLAN, groups=frozenset({"south"}), version=2),
        Customer("c-1", Account("Acme"), PLAN, version=3, deleted=True),
    ]
    for order in itertools.permutations(versions[:2]):
        held = CustomerList()
        for version in order:
            held.put(version)
        assert held.group_sizes(None) == {"south": 1}
        held.put(versions[2])
        assert held.group_sizes(None) == {}
