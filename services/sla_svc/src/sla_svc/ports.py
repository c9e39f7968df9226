"""The ports of the SLA service: the store (`adapters.store.RememberingStore`, on MongoDB or on
the unit tests' fake storage) and where acknowledgements go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sla_svc.domain.alerts import AlertState
from sla_svc.domain.batch import CustomerChanges, Loaded
from sla_svc.domain.ingest import Change
from sla_svc.domain.job_history import SetHistory
from sla_svc.domain.jobs import JobState
from sla_svc.snapshot import Snapshot


@dataclass(frozen=True)
class Head:
    """What a read of a customer checks first, as a repository's head names its tip: deleted
    or not, the revision of the last save begun (written before its figures, so that every
    memory of the customer is stale from then on) and of the last save finished (written
    after all its documents). None before the first."""

    deleted: bool = False
    revision: str | None = None
    finished: str | None = None

    @property
    def settled(self) -> str | None:
        """The revision, if its save finished: what a memory of the customer is good at."""
        return self.revision if self.revision == self.finished else None


class SlaStore(Protocol):
    """Where SLA states and figures are kept, with whatever memory of them it has; one
    writer per customer (Kafka partitioning and `msc_platform.copartition`)."""

    async def heads_of(self, customer_ids: Iterable[str]) -> dict[str, Head]:
        """The head of each customer (deleted or not, and its revisions)."""

    async def head(self, customer_id: str) -> Head:
        """The customer's head."""

    async def load(
        self, customer_id: str, head: Head, events: Sequence[Change], floor_hour: str
    ) -> Loaded:
        """The customer as stored at `head`, as far as these events need it
        (`domain.batch.needs`), with what its last save did not finish writing."""

    async def customer_jobs(self, customer_id: str) -> list[JobState]:
        """Every stored job state of the customer (a scan: for the rare set whose latest
        jobs all fell, `domain.batch.with_latest_found`)."""

    async def save(self, changes: Sequence[CustomerChanges]) -> None:
        """Mark each customer's save begun on its head, write its figures with what the save
        goes on to write (`Unfinished`), then hour details, job and alert states and set
        histories, delete the expired details, and mark the save finished."""

    async def snapshot(self, customer_id: str, hours: Iterable[str]) -> Snapshot | None:
        """The customer's figures at its stored revision, with the details of `hours`
        known; None for a deleted customer."""

    async def alerts(self, customer_id: str, alert_ids: Iterable[str]) -> dict[str, AlertState]:
        """The stored states of these alerts (missing ones left out)."""

    async def histories(
        self, customer_id: str, backup_set_ids: Iterable[str]
    ) -> dict[str, SetHistory]:
        """The stored job histories of these sets (missing ones left out)."""

    async def forget(self, customer_id: str) -> None:
        """Mark the customer deleted and drop everything kept for it (rule 6)."""


class AlertAcknowledgements(Protocol):
    """Where an acknowledgement goes to be applied: the customer's own stream of alert
    events (`backup.alerts`), so the one instance that writes the customer applies it."""

    async def publish(self, customer_id: str, alert_id: str, by: str, at: dt.datetime) -> None:
        """Send it; return once the broker has it."""
