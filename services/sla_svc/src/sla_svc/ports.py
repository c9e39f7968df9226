"""The ports of the SLA service; the MongoDB adapter implements them, a fake in unit tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sla_svc.domain.alerts import AlertState
from sla_svc.domain.figures import CustomerSla, HourDetail
from sla_svc.domain.job_history import SetHistory
from sla_svc.domain.jobs import JobState


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


@dataclass
class Unfinished:
    """What a customer's last save wrote with its figures and then went on to write apart:
    the job and alert states, hour details and expired hours of that batch. The figures are
    written first, so a save that stopped half-way left counters that had counted these;
    the next batch of the customer writes them again before it counts anything."""

    jobs: dict[str, JobState] = field(default_factory=dict)
    alerts: dict[str, AlertState] = field(default_factory=dict)
    details: dict[str, HourDetail] = field(default_factory=dict)
    expired_details: list[str] = field(default_factory=list)


@dataclass
class CustomerChanges:
    """Everything one batch changed for one customer."""

    customer: CustomerSla
    details: list[HourDetail] = field(default_factory=list)
    jobs: list[JobState] = field(default_factory=list)
    alerts: list[AlertState] = field(default_factory=list)
    histories: list[SetHistory] = field(default_factory=list)
    expired_details: list[str] = field(default_factory=list)
    base_revision: str | None = None
    """The head's settled revision the batch read the customer at (`Head.settled`)."""


class SlaStore(Protocol):
    """Where SLA states and figures are kept; one writer per customer (Kafka partitioning and
    the co-partitioned assignment of `msc_platform.copartition`)."""

    async def heads_of(self, customer_ids: Iterable[str]) -> dict[str, Head]:
        """The head of each customer (deleted or not, and its revision)."""

    async def head(self, customer_id: str) -> Head:
        """Whether the customer is deleted, and the revision of its figures."""

    async def customer(self, customer_id: str) -> CustomerSla:
        """The customer's figures as stored (empty for a customer never seen)."""

    async def for_update(self, customer_id: str, head: Head) -> tuple[CustomerSla, Unfinished]:
        """The customer's figures to apply a batch to, and what the save that wrote them
        did not finish writing (nothing once the head says it finished)."""

    async def customer_jobs(self, customer_id: str) -> list[JobState]:
        """Every stored job state of the customer (a scan: for the rare set whose latest
        jobs all fell, `backup_sets.rebuilt`; once a batch however many sets)."""

    async def jobs(self, customer_id: str, job_ids: Iterable[str]) -> dict[str, JobState]:
        """The stored states of these jobs (missing ones left out)."""

    async def alerts(self, customer_id: str, alert_ids: Iterable[str]) -> dict[str, AlertState]:
        """The stored states of these alerts (missing ones left out)."""

    async def histories(
        self, customer_id: str, backup_set_ids: Iterable[str], revision: str | None = None
    ) -> dict[str, SetHistory]:
        """The stored job histories of these sets (missing ones left out); `revision` as
        for `customer`."""

    async def details(self, customer_id: str, hours: Iterable[str]) -> dict[str, HourDetail]:
        """The hour details of these hours (missing ones left out)."""

    async def save(self, changes: Sequence[CustomerChanges]) -> dict[str, str]:
        """Mark each customer's save begun on its head, write its figures with what the save
        goes on to write (`Unfinished`), then hour details, job and alert states and set
        histories, and mark the save finished; the revision each customer's head names."""

    async def forget(self, customer_id: str) -> None:
        """Mark the customer deleted and drop everything kept for it (rule 6)."""


class AlertAcknowledgements(Protocol):
    """Where an acknowledgement goes to be applied: the customer's own stream of alert
    events (`backup.alerts`), so the one instance that writes the customer applies it."""

    async def publish(self, customer_id: str, alert_id: str, by: str, at: dt.datetime) -> None:
        """Send it; return once the broker has it."""
