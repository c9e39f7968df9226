"""The Summary tab's use cases on in-memory fakes."""

from __future__ import annotations

import datetime as dt

import pytest

from customer_svc.config import DEFAULT_REGIONS
from customer_svc.domain.consumption import DailyUsage, UsageReport
from customer_svc.domain.errors import (
    ContactNotFound,
    CustomerNotFound,
    DuplicateAccountName,
    InvalidField,
    StaleVersion,
    StillLoading,
)
from customer_svc.domain.model import Account, Contact, ServicePlan
from customer_svc.service import CustomerService, InvalidCursor
from msc_contracts import events
from msc_contracts.bounds import MAX_CONTACTS
from msc_testkit.clock import FixedClock
from services.customer_svc.tests.fakes import CountingRelay, FakeCustomers, FakeUsage

NOW = dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.UTC)
PLAN = ServicePlan(
    plan="Standard", storage_region="us-east-1", tenant_type="commercial", edition="elite"
)


@pytest.fixture
def customers() -> FakeCustomers:
    return FakeCustomers()


@pytest.fixture
def usage() -> FakeUsage:
    return FakeUsage()


@pytest.fixture
def service(customers: FakeCustomers, usage: FakeUsage) -> CustomerService:
    built = CustomerService(customers, usage, FixedClock(NOW), CountingRelay(), DEFAULT_REGIONS)
    built.customer_list.filled = True  # as the feeds do at start, the store being empty
    built.recent_usage.filled = True
    return built


async def test_create_gives_ids_a_first_version_and_a_created_event(
    service: CustomerService, customers: FakeCustomers
) -> None:
    created = await service.create(
        Account("Acme"), PLAN, [Contact("", "Dana", "dana@acme.example")]
    )
    assert created.id.startswith("c-") and created.version == 1
    assert created.contacts[0].id.startswith("k-")
    assert created.etag == f'"{created.id}.v1"'
    assert customers.published == [(created.id, events.CUSTOMER_CREATED)]
    assert created.pending_events[0].data["summary"]["name"] == "Acme"


async def test_account_names_are_unique_without_regard_to_case(service: CustomerService) -> None:
    await service.create(Account("Acme  Corp"), PLAN)
    with pytest.raises(DuplicateAccountName):
        await service.create(Account("ACME corp"), PLAN)
    other = await service.create(Account("Globex"), PLAN)
    with pytest.raises(DuplicateAccountName):
        await service.update_account(other.id, {"name": "acme CORP"}, other.etag)


async def test_storage_region_must_be_configured(service: CustomerService) -> None:
    with pytest.raises(InvalidField) as caught:
        await service.create(Account("Acme"), ServicePlan(plan="S", storage_region="mars-1"))
    assert caught.value.field == "service_plan.storage_region"


async def test_partial_edit_changes_only_what_is_sent(service: CustomerService) -> None:
    created = await service.create(
        Account("Acme", customer_name="Acme Corp", phone="+14155550100"), PLAN
    )
    updated = await service.update_account(created.id, {"phone": "+14155550199"}, created.etag)
    assert updated.account == Account("Acme", customer_name="Acme Corp", phone="+14155550199")
    assert updated.version == 2 and updated.etag != created.etag
    plan = await service.update_service_plan(updated.id, {"credit_quota": 10}, updated.etag)
    assert plan.service_plan.credit_quota == 10 and plan.service_plan.plan == "Standard"


async def test_a_stale_etag_is_refused(service: CustomerService) -> None:
    created = await service.create(Account("Acme"), PLAN)
    await service.update_account(created.id, {"address": "1 Main St"}, created.etag)
    with pytest.raises(StaleVersion):
        await service.update_account(created.id, {"address": "2 Main St"}, created.etag)
    with pytest.raises(StaleVersion):
        await service.delete(created.id, created.etag)


async def test_if_match_accepts_star_weak_tags_and_lists(service: CustomerService) -> None:
    created = await service.create(Account("Acme"), PLAN)
    one = await service.update_account(created.id, {"address": "a"}, "*")
    two = await service.update_account(created.id, {"address": "b"}, f'"x", W/{one.etag}')
    assert two.version == 3


async def test_contacts_add_edit_delete(service: CustomerService) -> None:
    created = await service.create(Account("Acme"), PLAN)
    customer, contact = await service.add_contact(
        created.id, Contact("", "Dana", "d@a.example"), None
    )
    customer, edited = await service.update_contact(
        created.id, contact.id, {"phone": "+14155550101"}, customer.etag
    )
    assert edited.phone == "+14155550101" and edited.id == contact.id
    customer = await service.delete_contact(created.id, contact.id, customer.etag)
    assert customer.contacts == ()
    with pytest.raises(ContactNotFound):
        await service.delete_contact(created.id, contact.id, None)


async def test_a_customer_has_at_most_its_share_of_contacts(service: CustomerService) -> None:
    created = await service.create(Account("Acme"), PLAN)
    for i in range(MAX_CONTACTS):
        await service.add_contact(created.id, Contact("", f"P{i}", f"p{i}@a.example"), None)
    with pytest.raises(InvalidField) as refused:
        await service.add_contact(created.id, Contact("", "One more", "x@a.example"), None)
    assert refused.value.field == "contacts"


async def test_delete_hides_the_customer_and_announces_it(
    service: CustomerService, customers: FakeCustomers
) -> None:
    created = await service.create(Account("Acme"), PLAN)
    await service.delete(created.id, created.etag)
    with pytest.raises(CustomerNotFound):
        await service.get(created.id)
    assert customers.published[-1] == (created.id, events.CUSTOMER_DELETED)
    # The name is free again.
    await service.create(Account("acme"), PLAN)


def report(cid: str, day: str, credits: float, storage: int, minute: int, eid: str) -> UsageReport:
    return UsageReport(
        cid,
        DailyUsage(dt.date.fromisoformat(day), credits, storage),
        NOW.replace(minute=minute),
        eid,
    )


async def test_usage_is_replaced_by_newer_reports_never_added(
    service: CustomerService, usage: FakeUsage
) -> None:
    created = await service.create(Account("Acme"), PLAN)
    cid = created.id
    recorded = await service.record_usage(
        [
            report(cid, "2026-11-27", 10, 100, 5, "b"),
            report(cid, "2026-11-27", 99, 999, 1, "a"),  # older: ignored
            report(cid, "2026-11-27", 12, 120, 5, "c"),  # same time, larger id: wins
            report(cid, "2026-11-26", 3, 90, 0, "d"),
            report(cid, "2026-08-30", 1000, 1, 0, "e"),  # 91st day back: outside the window
            report(cid, "2026-08-31", 7, 80, 0, "f"),  # 90th day back: first day inside
        ]
    )
    assert recorded.applied == 5 and recorded.unknown_customers == frozenset()
    assert (await service.record_usage([report(cid, "2026-11-27", 12, 120, 5, "c")])).applied == 0
    service.recent_usage.put(cid, usage.stored(cid))  # as the usage feed does
    block = await service.consumption(cid)
    assert block.window_days == 90
    assert block.credits_consumed == 12 + 3 + 7
    assert block.storage_consumed_bytes == 120
    assert [d.date.isoformat() for d in block.daily] == ["2026-08-31", "2026-11-26", "2026-11-27"]


async def test_usage_of_a_deleted_customer_is_dropped_and_no_longer_held(
    service: CustomerService, usage: FakeUsage
) -> None:
    created = await service.create(Account("Acme"), PLAN)
    await service.record_usage([report(created.id, "2026-11-27", 1, 1, 0, "w")])
    service.recent_usage.put(created.id, usage.stored(created.id))  # as the usage feed does
    await service.delete(created.id, None)
    assert len(service.recent_usage) == 0
    recorded = await service.record_usage([report(created.id, "2026-11-27", 1, 1, 0, "x")])
    assert recorded.applied == 0 and recorded.unknown_customers == frozenset()
    assert usage.days_ == {}


async def test_usage_of_a_customer_never_created_is_not_stored_and_named(
    service: CustomerService, usage: FakeUsage
) -> None:
    created = await service.create(Account("Acme"), PLAN)
    recorded = await service.record_usage(
        [
            report("c-000000000bad", "2026-11-27", 5, 5, 0, "u1"),
            report(created.id, "2026-11-27", 2, 2, 0, "u2"),  # created a moment ago: kept
            report("c-000000000bad", "2026-11-26", 5, 5, 0, "u3"),
        ]
    )
    assert recorded.applied == 1 and recorded.unknown_customers == {"c-000000000bad"}
    assert usage.stored("c-000000000bad") == [] and len(usage.stored(created.id)) == 1


async def test_list_pages_by_name_without_gaps(service: CustomerService) -> None:
    for name in ["delta", "Alpha", "charlie", "Bravo", "echo"]:
        await service.create(Account(name, customer_name=f"{name} Inc"), PLAN)
    seen: list[str] = []
    cursor = None
    while True:
        page = await service.list(None, 2, cursor)
        seen += [c.account.name for c in page.customers]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["Alpha", "Bravo", "charlie", "delta", "echo"]
    found = await service.list("RAV", 10, None)
    assert [c.account.name for c in found.customers] == ["Bravo"]
    with pytest.raises(InvalidCursor):
        await service.list(None, 2, "not-a-cursor")


async def test_the_list_gives_each_customer_the_credits_held_for_it(
    service: CustomerService,
) -> None:
    acme = await service.create(Account("Acme"), PLAN)
    bravo = await service.create(Account("Bravo"), PLAN)
    service.recent_usage.put(acme.id, [DailyUsage(NOW.date(), 10, 100)])
    assert (await service.list(None, 10, None)).credits == {acme.id: 10, bravo.id: 0}


async def test_the_list_is_not_answered_before_it_is_filled(
    customers: FakeCustomers, usage: FakeUsage
) -> None:
    starting = CustomerService(customers, usage, FixedClock(NOW), CountingRelay(), DEFAULT_REGIONS)
    await starting.create(Account("Acme"), PLAN)
    with pytest.raises(StillLoading):
        await starting.list(None, 10, None)  # it holds Acme, not yet the customers stored
    starting.customer_list.filled = True
    with pytest.raises(StillLoading):
        await starting.list(None, 10, None)  # nor the credits of their plan badges
    starting.recent_usage.filled = True
    assert len((await starting.list(None, 10, None)).customers) == 1


async def test_every_change_is_in_the_activity_with_who_when_and_what(
    service: CustomerService, customers: FakeCustomers
) -> None:
    created = await service.create(
        Account("Acme"), PLAN, [Contact("", "Dana", "dana@acme.example")], actor="alice"
    )
    plan = await service.update_service_plan(
        created.id, {"credit_quota": 5000, "edition": "business"}, created.etag, actor="bob"
    )
    contact_id = plan.contacts[0].id
    edited, _ = await service.update_contact(
        created.id, contact_id, {"phone": "+14155550101"}, plan.etag, actor="bob"
    )
    await service.delete_contact(created.id, contact_id, edited.etag, actor="carol")

    page = await service.activity(created.id, limit=10, cursor=None)
    assert [(e.version, e.action, e.actor) for e in page.entries] == [
        (4, "contact_deleted", "carol"),
        (3, "contact_updated", "bob"),
        (2, "service_plan_updated", "bob"),
        (1, "created", "alice"),
    ]
    assert page.next_cursor is None
    deleted, contact, quota, first = page.entries
    assert {(c.field, c.old, c.new) for c in quota.changes} == {
        ("service_plan.credit_quota", None, 5000),
        ("service_plan.edition", "elite", "business"),
    }
    assert [(c.field, c.old, c.new) for c in contact.changes] == [
        (f"contacts.{contact_id}.phone", None, "+14155550101")
    ]
    assert {c.field for c in deleted.changes} == {
        f"contacts.{contact_id}.name",
        f"contacts.{contact_id}.email",
        f"contacts.{contact_id}.phone",
    }
    assert all(c.new is None for c in deleted.changes)
    assert ("account.name", None, "Acme") in {(c.field, c.old, c.new) for c in first.changes}
    assert first.at == NOW
    event = customers.rows[created.id].pending_events[0]
    assert event.data["actor"] == "carol"


async def test_the_activity_pages_by_version_newest_first(service: CustomerService) -> None:
    customer = await service.create(Account("Acme"), PLAN, actor="alice")
    for n in range(4):
        customer = await service.update_account(
            customer.id, {"phone": f"+1415555010{n}"}, customer.etag, actor="bob"
        )
    first = await service.activity(customer.id, limit=2, cursor=None)
    assert [e.version for e in first.entries] == [5, 4]
    second = await service.activity(customer.id, limit=2, cursor=first.next_cursor)
    assert [e.version for e in second.entries] == [3, 2]
    last = await service.activity(customer.id, limit=2, cursor=second.next_cursor)
    assert [e.version for e in last.entries] == [1] and last.next_cursor is None
    for bad in ("0", "6", "x", "²", "-1", "1" * 30):
        with pytest.raises(InvalidCursor):
            await service.activity(customer.id, limit=2, cursor=bad)
    await service.delete(customer.id, customer.etag, actor="carol")
    with pytest.raises(CustomerNotFound):
        await service.activity(customer.id, limit=2, cursor=None)


async def test_full_width_forms_of_a_name_are_the_same_name(service: CustomerService) -> None:
    await service.create(Account("acme"), PLAN)
    for twin in (full_width("ACME"), full_width("Acme"), "ACME"):
        with pytest.raises(DuplicateAccountName):
            await service.create(Account(twin), PLAN)


def full_width(text: str) -> str:
    """`text` in full-width forms (ASCII letters moved to U+FF21 and on)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)
