"""Use cases of the Summary tab: each reads, decides with the domain, writes once."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

from customer_svc.domain.activity import Activity, record
from customer_svc.domain.consumption import (
    Consumption,
    UsageReport,
    consumption,
    window_start,
)
from customer_svc.domain.customer_groups import Restriction, group_set, narrowed, visible
from customer_svc.domain.customer_list import HISTORY_KEPT, CustomerList, Position, renamed
from customer_svc.domain.errors import (
    ContactNotFound,
    CustomerNotFound,
    InvalidField,
    RestrictedCaller,
    StaleVersion,
    StillLoading,
)
from customer_svc.domain.model import (
    Account,
    Contact,
    Customer,
    PendingEvent,
    ServicePlan,
)
from customer_svc.domain.recent_usage import RecentUsage
from customer_svc.ports import CustomerRepository, RelayTrigger, UsageRepository
from msc_contracts import events
from msc_contracts.bounds import MAX_CONTACTS
from msc_platform.clock import Clock


@dataclasses.dataclass(frozen=True)
class CustomersPage:
    """A page of the customers list with the opaque cursor to the next."""

    customers: list[Customer]
    next_cursor: str | None
    credits: dict[str, float]
    """Each listed customer's credits of the last 90 days (for its plan badges)."""
    today: dt.date


@dataclasses.dataclass(frozen=True)
class ActivityPage:
    """A page of a customer's audit trail, newest first, with the cursor to older entries."""

    entries: list[Activity]
    next_cursor: str | None


@dataclasses.dataclass(frozen=True)
class RecordedUsage:
    """What became of a batch of usage reports."""

    applied: int
    """Reports that changed a day (the others repeat or precede what is stored, or are of
    deleted customers)."""
    unknown_customers: frozenset[str]
    """Customers never created that reports named: their reports are not stored."""


class InvalidCursor(ValueError):
    """The list cursor was not made by this service."""


class CustomerService:
    """The customer service's use cases. Each takes the caller's `restriction`, the customer
    groups it is restricted to (`domain/customer_groups.py`; None: it sees every customer):
    a customer outside them is `CustomerNotFound` to it, as if it did not exist."""

    def __init__(
        self,
        customers: CustomerRepository,
        usage: UsageRepository,
        clock: Clock,
        relay: RelayTrigger,
        storage_regions: Sequence[str],
    ) -> None:
        self._customers = customers
        self.customer_list = CustomerList()
        """The customers list, which the service keeps current with its own writes (what
        other instances write reaches it through `customers.events`: `customer_list_feed`)."""
        self.recent_usage = RecentUsage()
        """Every customer's daily usage for the Summary tab and the list's plan badges,
        kept current from the stored usage by `usage_feed`."""
        self._usage = usage
        self._clock = clock
        self._relay = relay
        self._regions = tuple(storage_regions)

    @property
    def storage_regions(self) -> tuple[str, ...]:
        """The storage regions a service plan may name, in the configured order."""
        return self._regions

    async def create(
        self,
        account: Account,
        plan: ServicePlan,
        contacts: Sequence[Contact] = (),
        actor: str | None = None,
        restriction: Restriction = None,
    ) -> Customer:
        """Create a customer; `DuplicateAccountName` when the name is taken. `actor` (on
        every change) is who makes it, for the audit trail and the lifecycle event. A
        restricted caller's customer is in the caller's groups, so that it sees it."""
        self._check_plan(plan)
        now = self._clock.now()
        customer = Customer(
            id=f"c-{uuid.uuid4().hex[:12]}",
            account=account,
            service_plan=plan,
            contacts=tuple(dataclasses.replace(c, id=_new_contact_id()) for c in contacts),
            groups=group_set(restriction or ()),
            version=1,
            created_at=now,
            updated_at=now,
        )
        customer = self._announce(customer, events.CUSTOMER_CREATED, "created", actor, None)
        await self._customers.add(customer)
        self._written(customer)
        return customer

    async def get(self, customer_id: str, restriction: Restriction = None) -> Customer:
        """The current customer; `CustomerNotFound` if missing, deleted or not visible."""
        customer = await self._customers.get(customer_id)
        if customer is None or not visible(customer, restriction):
            raise CustomerNotFound(customer_id)
        return customer

    async def update_account(
        self,
        customer_id: str,
        changes: dict[str, Any],
        if_match: str | None,
        actor: str | None = None,
        restriction: Restriction = None,
    ) -> Customer:
        """Change some account fields."""
        current = await self._current(customer_id, if_match, restriction)
        account = dataclasses.replace(current.account, **changes)
        former = renamed(current, account.name, self._clock.now())
        return await self._save(
            current, "account_updated", actor, account=account, former_names=former
        )

    async def update_service_plan(
        self,
        customer_id: str,
        changes: dict[str, Any],
        if_match: str | None,
        actor: str | None = None,
        restriction: Restriction = None,
    ) -> Customer:
        """Change some service plan fields."""
        current = await self._current(customer_id, if_match, restriction)
        plan = dataclasses.replace(current.service_plan, **changes)
        self._check_plan(plan)
        return await self._save(current, "service_plan_updated", actor, service_plan=plan)

    async def add_contact(
        self,
        customer_id: str,
        contact: Contact,
        if_match: str | None,
        actor: str | None = None,
        restriction: Restriction = None,
    ) -> tuple[Customer, Contact]:
        """Add a contact; it gets a new id."""
        current = await self._current(customer_id, if_match, restriction)
        if len(current.contacts) >= MAX_CONTACTS:
            raise InvalidField("contacts", f"a customer has at most {MAX_CONTACTS} contacts")
        added = dataclasses.replace(contact, id=_new_contact_id())
        contacts = (*current.contacts, added)
        return await self._save(current, "contact_added", actor, contacts=contacts), added

    async def update_contact(
        self,
        customer_id: str,
        contact_id: str,
        changes: dict[str, Any],
        if_match: str | None,
        actor: str | None = None,
        restriction: Restriction = None,
    ) -> tuple[Customer, Contact]:
        """Change some fields of a contact."""
        current = await self._current(customer_id, if_match, restriction)
        contact = current.contact(contact_id)
        if contact is None:
            raise ContactNotFound(contact_id)
        changed = dataclasses.replace(contact, **changes)
        contacts = tuple(changed if c.id == contact_id else c for c in current.contacts)
        return await self._save(current, "contact_updated", actor, contacts=contacts), changed

    async def delete_contact(
        self,
        customer_id: str,
        contact_id: str,
        if_match: str | None,
        actor: str | None = None,
        restriction: Restriction = None,
    ) -> Customer:
        """Remove a contact."""
        current = await self._current(customer_id, if_match, restriction)
        if current.contact(contact_id) is None:
            raise ContactNotFound(contact_id)
        contacts = tuple(c for c in current.contacts if c.id != contact_id)
        return await self._save(current, "contact_deleted", actor, contacts=contacts)

    async def set_groups(
        self,
        customer_id: str,
        groups: Sequence[str],
        if_match: str | None,
        actor: str | None = None,
        restriction: Restriction = None,
    ) -> Customer:
        """Put the customer in exactly these groups; `RestrictedCaller` unless the caller
        sees every customer."""
        if restriction is not None:
            raise RestrictedCaller("only a caller who sees every customer sets its groups")
        current = await self._current(customer_id, if_match)
        return await self._save(current, "groups_updated", actor, groups=group_set(groups))

    async def delete(
        self,
        customer_id: str,
        if_match: str | None,
        actor: str | None = None,
        restriction: Restriction = None,
    ) -> None:
        """Delete the customer; its contacts go with it, its usage once the event is out."""
        current = await self._current(customer_id, if_match, restriction)
        gone = current.next_version(deleted=True, contacts=(), updated_at=self._clock.now())
        gone = self._announce(gone, events.CUSTOMER_DELETED, "deleted", actor, current)
        await self._customers.save(gone)
        # Purged now, so the deleted customer's usage is gone at once, and again by the relay
        # once `customer.deleted` is out: a report applied between the two (its deletion
        # check ran before the tombstone) would otherwise stay.
        await self._usage.purge(customer_id)
        self.recent_usage.forget(customer_id)  # other instances: when the deletion is out
        self._written(gone)

    async def list(
        self,
        q: str | None,
        limit: int,
        cursor: str | None,
        restriction: Restriction = None,
        group: str | None = None,
    ) -> CustomersPage:
        """Customers ordered by account name, `limit` at a time; of `group` only if given."""
        now = self._clock.now()
        after = _decode_cursor(cursor)
        if after is not None and now - after.as_of > HISTORY_KEPT:
            raise InvalidCursor("this list was started too long ago; start again")
        if not (self.customer_list.filled and self.recent_usage.filled):
            raise StillLoading
        page = self.customer_list.page(q, limit, now, after, narrowed(restriction, group))
        credits = self.recent_usage.credits([c.id for c in page.customers], now.date())
        return CustomersPage(page.customers, _encode_cursor(page.next), credits, now.date())

    async def groups(self, restriction: Restriction = None) -> dict[str, int]:
        """The customer groups in use that the caller may see, with their customer counts."""
        if not self.customer_list.filled:
            raise StillLoading
        return self.customer_list.group_sizes(restriction)

    async def activity(
        self, customer_id: str, limit: int, cursor: str | None, restriction: Restriction = None
    ) -> ActivityPage:
        """The customer's audit trail, newest first: one entry per version, so a page reads
        `limit` versions down from the cursor (versions before the trail began have none)."""
        current = await self.get(customer_id, restriction)
        top = current.version if cursor is None else _version_cursor(cursor, current.version)
        rest = top - limit
        versions = list(range(top, max(rest, 0), -1))
        entries = await self._customers.activity(customer_id, versions)
        return ActivityPage(entries, str(rest) if rest >= 1 else None)

    async def consumption(self, customer_id: str) -> Consumption:
        """Credits and storage of the last 90 UTC days (as stored a moment ago: the usage
        is held in memory, `RecentUsage`)."""
        if not self.recent_usage.filled:
            raise StillLoading
        today = self._clock.now().date()
        return consumption(self.recent_usage.days(customer_id, window_start(today)), today)

    async def record_usage(self, reports: Sequence[UsageReport]) -> RecordedUsage:
        """Apply usage reports (rule 4), dropping those of deleted customers (rule 6) and
        refusing those of customers never created, which are not stored.

        Checked against the stored customers, not this instance's list (which hears of a
        creation a moment later): a customer's id is known to no agent before its
        document is stored, so a report of a live customer is never taken for unknown.
        """
        stored = await self._customers.stored({r.customer_id for r in reports})
        unknown = frozenset(r.customer_id for r in reports if r.customer_id not in stored)
        kept = [r for r in reports if stored.get(r.customer_id) is False]
        applied = await self._usage.record(kept, self._clock.now().date()) if kept else 0
        return RecordedUsage(applied, unknown)

    async def _current(
        self, customer_id: str, if_match: str | None, restriction: Restriction = None
    ) -> Customer:
        current = await self.get(customer_id, restriction)
        if if_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
            if "*" not in tags and current.etag not in tags:
                raise StaleVersion(f"If-Match {if_match} is not the current {current.etag}")
        return current

    async def _save(
        self, current: Customer, action: str, actor: str | None, **changes: Any
    ) -> Customer:
        updated = current.next_version(updated_at=self._clock.now(), **changes)
        updated = self._announce(updated, events.CUSTOMER_UPDATED, action, actor, current)
        await self._customers.save(updated)
        self._written(updated)
        return updated

    def _written(self, customer: Customer) -> None:
        """A change is stored: its events may go out, and this instance lists it at once."""
        self._relay.wake()
        self.customer_list.put(customer)

    def _announce(
        self,
        customer: Customer,
        event_type: str,
        action: str,
        actor: str | None,
        before: Customer | None,
    ) -> Customer:
        """`customer` with the lifecycle event and the audit trail entry of its change."""
        data: dict[str, Any] = {"customer_id": customer.id}
        if event_type != events.CUSTOMER_DELETED:
            data["summary"] = account_and_plan(customer)
        if actor is not None:
            data["actor"] = actor
        event = PendingEvent(
            id=f"{customer.id}.v{customer.version}",
            type=event_type,
            time=customer.updated_at or self._clock.now(),
            data=data,
        )
        activity = record(action, actor, before, customer)
        return dataclasses.replace(customer, pending_events=(event,), pending_activity=activity)

    def _check_plan(self, plan: ServicePlan) -> None:
        if plan.storage_region is not None and plan.storage_region not in self._regions:
            raise InvalidField(
                "service_plan.storage_region", f"must be one of {', '.join(self._regions)}"
            )


def account_and_plan(customer: Customer) -> dict[str, Any]:
    """The customer's account names and plan terms: the `summary` a lifecycle event
    carries (CONTRACT.md) and what a row of the customers list shows of the customer."""
    plan = customer.service_plan
    return {
        "name": customer.account.name,
        "customer_name": customer.account.customer_name,
        "plan": plan.plan,
        "edition": plan.edition,
        "tenant_type": plan.tenant_type,
        "storage_region": plan.storage_region,
        "expiry_date": plan.expiry_date.isoformat() if plan.expiry_date else None,
    }


def _new_contact_id() -> str:
    return f"k-{uuid.uuid4().hex[:12]}"


def _version_cursor(cursor: str, current: int) -> int:
    version = int(cursor) if cursor.isascii() and cursor.isdigit() and len(cursor) <= 12 else 0
    if not 1 <= version <= current:
        raise InvalidCursor("not a cursor of this customer's activity")
    return version


def _encode_cursor(position: Position | None) -> str | None:
    if position is None:
        return None
    raw = json.dumps([position.as_of.isoformat(), position.key, position.customer_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> Position | None:
    if not cursor:
        return None
    try:
        as_of, key, customer_id = json.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        )
        position = Position(dt.datetime.fromisoformat(as_of), str(key), str(customer_id))
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("not a cursor from this list") from exc
    if position.as_of.tzinfo is None:
        raise InvalidCursor("not a cursor from this list")
    return position
