"""In-memory implementations of the customer service's ports, for unit tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence

from customer_svc.domain.activity import Activity
from customer_svc.domain.consumption import DailyUsage, UsageReport, latest_reports
from customer_svc.domain.errors import DuplicateAccountName, StaleVersion
from customer_svc.domain.model import Customer, name_key


class FakeCustomers:
    """Customers in a dict, with the same rules as the MongoDB adapter."""

    def __init__(self) -> None:
        self.rows: dict[str, Customer] = {}
        self.published: list[tuple[str, str]] = []
        self.activities: dict[tuple[str, int], Activity] = {}

    def _name_taken(self, customer: Customer) -> bool:
        return any(
            not c.deleted
            and c.id != customer.id
            and name_key(c.account.name) == name_key(customer.account.name)
            for c in self.rows.values()
        )

    async def add(self, customer: Customer) -> None:
        if self._name_taken(customer):
            raise DuplicateAccountName(customer.account.name)
        self._store(customer)

    def _store(self, customer: Customer) -> None:
        self.rows[customer.id] = customer
        self.published += [(customer.id, e.type) for e in customer.pending_events]
        if customer.pending_activity is not None:
            self.activities[(customer.id, customer.version)] = customer.pending_activity

    async def activity(self, customer_id: str, versions: list[int]) -> list[Activity]:
        found = (self.activities.get((customer_id, v)) for v in versions)
        return [a for a in found if a is not None]

    async def get(self, customer_id: str) -> Customer | None:
        found = self.rows.get(customer_id)
        return None if found is None or found.deleted else found

    async def stored(self, customer_ids: Collection[str]) -> dict[str, bool]:
        return {cid: self.rows[cid].deleted for cid in customer_ids if cid in self.rows}

    async def save(self, customer: Customer) -> None:
        current = self.rows[customer.id]
        if current.version != customer.version - 1:
            raise StaleVersion(customer.id)
        if not customer.deleted and self._name_taken(customer):
            raise DuplicateAccountName(customer.account.name)
        self._store(customer)


class FakeUsage:
    """Usage in a dict keyed by customer and day, merged by rule 4 as the adapter does."""

    def __init__(self) -> None:
        self.days_: dict[tuple[str, dt.date], UsageReport] = {}

    async def record(self, reports: Sequence[UsageReport], today: dt.date) -> int:
        by_customer: dict[str, list[UsageReport]] = {}
        for r in reports:
            by_customer.setdefault(r.customer_id, []).append(r)
        kept = 0
        for cid, customer_reports in by_customer.items():
            held = {day: r for (c, day), r in self.days_.items() if c == cid}
            changed, took_effect = latest_reports(held, customer_reports)
            self.days_.update(((cid, day), r) for day, r in changed.items())
            kept += took_effect
        return kept

    def stored(self, customer_id: str) -> list[DailyUsage]:
        """The customer's days, as the usage feed reads them once stored."""
        return [r.usage for (cid, _), r in self.days_.items() if cid == customer_id]

    async def purge(self, customer_id: str) -> None:
        for key in [k for k in self.days_ if k[0] == customer_id]:
            del self.days_[key]


class CountingRelay:
    """Counts wake-ups."""

    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


def with_name(customer: Customer, name: str) -> Customer:
    """The same customer under another account name."""
    return dataclasses.replace(customer, account=dataclasses.replace(customer.account, name=name))
