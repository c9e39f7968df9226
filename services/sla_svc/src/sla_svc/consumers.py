"""Consumers of agent events and customer lifecycle events: contract events in, use cases out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from msc_contracts import events as ev
from msc_contracts.topics import CUSTOMER_EVENTS
from msc_platform.event_consumer import Applied, Event, EventHandler, Received
from sla_svc.domain.alerts import Acknowledged, Raised
from sla_svc.domain.backup_sets import Presence
from sla_svc.domain.ingest import (
    AlertAcknowledged,
    AlertCleared,
    AlertRaised,
    Change,
    Outcome,
    SetChanged,
)
from sla_svc.domain.jobs import JobSnapshot
from sla_svc.domain.time_keys import event_order, instant
from sla_svc.service import SlaService


def to_change(event: Event) -> Change:
    """The domain event an agent's contract event describes, addressed to its customer."""
    data: Any = event.data
    order = event_order(event.time, event.id)
    cid = event.customerid
    match event.type:
        case ev.JOB_REPORTED:
            return JobSnapshot(
                customer_id=cid,
                job_id=data.job_id,
                backup_set_id=data.backup_set_id,
                job_type=data.job_type,
                status=data.status,
                time=instant(event.time),
                event_id=event.id,
                started_at=instant(data.started_at) if data.started_at else None,
                ended_at=instant(data.ended_at) if data.ended_at else None,
                error_code=data.error_code,
                error_message=data.error_message,
                bytes_transferred=data.bytes_transferred,
            )
        case ev.BACKUP_SET_UPSERTED:
            presence = Presence(order, False, data.name, data.workload, data.rpo_hours)
            return SetChanged(data.backup_set_id, presence, customer_id=cid)
        case ev.BACKUP_SET_DELETED:
            return SetChanged(data.backup_set_id, Presence(order, True), customer_id=cid)
        case ev.ALERT_RAISED:
            raised = Raised(
                order,
                instant(event.time),
                data.severity,
                data.backup_set_id,
                data.alert_type,
                data.message,
            )
            return AlertRaised(data.alert_id, raised, customer_id=cid)
        case ev.ALERT_CLEARED:
            return AlertCleared(data.alert_id, customer_id=cid)
        case ev.ALERT_ACKNOWLEDGED:
            ack = Acknowledged(order, instant(event.time), data.acknowledged_by)
            return AlertAcknowledged(data.alert_id, ack, customer_id=cid)
    raise ValueError(f"not an agent event: {event.type}")


def sla_events_handler(service: SlaService) -> EventHandler:
    """One batch handler for `backup.jobs`, `backup.sets`, `backup.alerts` and
    `customers.events`: deletions first (rule 6), then the agent events."""

    async def handle(batch: Sequence[Received]) -> Applied:
        forgotten = 0
        for received in batch:
            if received.event.type == ev.CUSTOMER_DELETED:
                await service.forget(received.event.customerid)  # equals data.customer_id
                forgotten += 1
        agent = [to_change(r.event) for r in batch if r.topic != CUSTOMER_EVENTS]
        outcome = await service.apply(agent) if agent else Outcome()
        ignored = len(batch) - forgotten - len(agent)  # created / updated: nothing to do
        duplicates = outcome.unchanged + outcome.dropped + ignored
        return Applied(applied=outcome.applied + forgotten, duplicates=duplicates)

    return handle
