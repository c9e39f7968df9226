"""The ports the customer service needs; adapters implement them, fakes too in unit tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any, Protocol

from customer_svc.domain.activity import Activity
from customer_svc.domain.consumption import UsageReport
from customer_svc.domain.model import Customer


class CustomerRepository(Protocol):
    """Where customers are kept; every write is conditional on the version the caller read."""

    async def add(self, customer: Customer) -> None:
        """Store a new customer; `DuplicateAccountName` when its name is taken."""

    async def get(self, customer_id: str) -> Customer | None:
        """The current customer, or None if it never existed or was deleted."""

    async def stored(self, customer_ids: Collection[str]) -> dict[str, bool]:
        """Of these ids, each one stored (live or deleted), with True when deleted; an id
        never created is left out."""

    async def save(self, customer: Customer) -> None:
        """Store `customer` as the successor of version `customer.version - 1`.

        Raises `StaleVersion` when another write got there first and
        `DuplicateAccountName` when the new name is taken.
        """

    async def activity(self, customer_id: str, versions: list[int]) -> list[Activity]:
        """The audit trail entries of these versions, in that order, missing ones left out."""


class Outbox(Protocol):
    """The stored changes whose lifecycle events are not published yet (each a revision
    document: `_id`, `customer_id`, `version`, `events`, `trace`), kept with the customers
    because a change and its events are stored in one write."""

    async def pending_revisions(self) -> list[dict[str, Any]]:
        """Revisions not yet published, oldest version first per customer."""

    async def current_version(self, customer_id: str) -> int:
        """The stored version of the customer, 0 when there is none."""

    def revision_age(self, revision: dict[str, Any]) -> dt.timedelta:
        """How long ago the revision was claimed."""

    async def roll_forward(self, revision: dict[str, Any]) -> bool:
        """Apply a revision whose writer died; False (and the revision dropped) if it cannot be."""

    async def mark_published(self, revision: dict[str, Any]) -> None:
        """The revision's events are out."""


class UsageRepository(Protocol):
    """Daily usage per customer; a day is replaced by a newer report, never added to."""

    async def record(self, reports: Sequence[UsageReport], today: dt.date) -> int:
        """Merge the reports (rule 4); return how many of them changed a day."""

    async def purge(self, customer_id: str) -> None:
        """Forget all usage of the customer."""


class RelayTrigger(Protocol):
    """Tells the lifecycle-event relay that new events wait."""

    def wake(self) -> None:
        """Ask the relay to run soon."""
