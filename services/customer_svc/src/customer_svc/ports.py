"""The ports the customer service needs; adapters implement them, fakes too in unit tests."""

from __future__ import annotations

import datetime as dt
import enum
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


class Fate(enum.Enum):
    """What became of a pending revision's change, as the stored customer shows it."""

    STORED = "stored"
    """The change is the one stored: its events go out."""
    REFUSED = "refused"
    """The change was refused or lost its claim and can never be stored: dropped unpublished."""
    UNDECIDED = "undecided"
    """Not visible yet: its writer may still be writing, or died, or lost the reply."""


class Outbox(Protocol):
    """The stored changes whose lifecycle events are not published yet (each a revision
    document: `_id`, `customer_id`, `version`, `events`, `trace`), kept with the customers
    because a change and its events are stored before the change is visible."""

    async def pending_revisions(self) -> list[dict[str, Any]]:
        """Revisions not yet published, oldest version first per customer."""

    async def fate(self, revision: dict[str, Any]) -> Fate:
        """Whether the revision's change is the one stored, refused, or not decided yet."""

    def revision_age(self, revision: dict[str, Any]) -> dt.timedelta:
        """How long ago the revision was claimed."""

    async def roll_forward(self, revision: dict[str, Any]) -> bool:
        """Store an undecided revision whose writer is gone; False when it can never be."""

    async def discard(self, revision: dict[str, Any]) -> None:
        """Forget a refused revision without publishing it."""

    async def mark_published(self, revision: dict[str, Any]) -> None:
        """The revision's events are out."""

    async def erase_deleted_trails(self) -> None:
        """Erase the personal data of the trails of customers deleted before this release."""


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
