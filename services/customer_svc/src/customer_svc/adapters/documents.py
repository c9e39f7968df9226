"""Mapping between customers and their MongoDB documents.

A document of the previous release has no `groups`: its customer is in no customer group
(read so, and written with the field at its next change).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from customer_svc.domain.activity import Activity, FieldChange
from customer_svc.domain.model import (
    Account,
    Contact,
    Customer,
    FormerName,
    PendingEvent,
    ServicePlan,
    name_key,
)

_PLAN_DATES = ("expiry_date", "credit_quota_effective_date")


def to_document(customer: Customer) -> dict[str, Any]:
    """The stored form of a customer (a deleted one keeps only its id and version)."""
    if customer.deleted:
        return {
            "_id": customer.id,
            "version": customer.version,
            "deleted": True,
            "name_key": f"\x00deleted:{customer.id}",
            "updated_at": customer.updated_at,
        }
    plan = dataclasses.asdict(customer.service_plan)
    for key in _PLAN_DATES:
        plan[key] = plan[key].isoformat() if plan[key] else None
    return {
        "_id": customer.id,
        "version": customer.version,
        "deleted": False,
        "name_key": name_key(customer.account.name),
        "account": dataclasses.asdict(customer.account),
        "service_plan": plan,
        "contacts": [dataclasses.asdict(c) for c in customer.contacts],
        "groups": sorted(customer.groups),
        "former_names": [dataclasses.asdict(f) for f in customer.former_names],
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def from_document(doc: dict[str, Any]) -> Customer:
    """The customer a stored document holds (a deleted one: its id and version)."""
    if doc.get("deleted"):
        return Customer(
            doc["_id"], Account(""), ServicePlan(), version=doc["version"], deleted=True
        )
    plan = dict(doc["service_plan"])
    for key in _PLAN_DATES:
        plan[key] = dt.date.fromisoformat(plan[key]) if plan.get(key) else None
    return Customer(
        id=doc["_id"],
        account=Account(**doc["account"]),
        service_plan=ServicePlan(**plan),
        contacts=tuple(Contact(**c) for c in doc.get("contacts", [])),
        groups=frozenset(doc.get("groups", ())),
        version=doc["version"],
        former_names=tuple(
            FormerName(f["key"], _utc(f["until"]) or f["until"])
            for f in doc.get("former_names", [])
        ),
        created_at=_utc(doc.get("created_at")),
        updated_at=_utc(doc.get("updated_at")),
    )


def event_to_document(event: PendingEvent) -> dict[str, Any]:
    """The stored form of a pending lifecycle event."""
    return {"id": event.id, "type": event.type, "time": event.time, "data": event.data}


def event_from_document(doc: dict[str, Any]) -> PendingEvent:
    """A pending lifecycle event from its stored form."""
    time = _utc(doc["time"])
    assert time is not None
    return PendingEvent(id=doc["id"], type=doc["type"], time=time, data=doc["data"])


def activity_to_document(customer_id: str, activity: Activity) -> dict[str, Any]:
    """The stored form of an audit trail entry (without its `_id`)."""
    return {
        "customer_id": customer_id,
        "version": activity.version,
        "action": activity.action,
        "actor": activity.actor,
        "at": activity.at,
        "changes": [dataclasses.asdict(c) for c in activity.changes],
    }


def activity_from_document(doc: dict[str, Any]) -> Activity:
    """An audit trail entry from its stored form."""
    at = _utc(doc["at"])
    assert at is not None
    changes = tuple(FieldChange(c["field"], c["old"], c["new"]) for c in doc["changes"])
    return Activity(doc["version"], doc["action"], doc["actor"], at, changes)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)
