"""The audit trail: every change to a customer, who made it, when, and what it changed.

One entry per version of the customer (`Customer.version`), so the trail of a customer is
read newest first by version, a page costing its own length (`MongoCustomerRepository
.activity`), and stored with the change it records (the revision's claim makes both one).
When the customer is deleted, its entries keep who, when and which fields, not the values
(`erased`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from customer_svc.domain.model import Contact, Customer

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after: `field` is `account.<name>`,
    `service_plan.<name>`, `contacts.<contact id>.<name>` or `groups.<group name>` (the
    group's name as `new` when it was added, as `old` when it was removed); `None` where
    there was none."""

    field: str
    old: Scalar
    new: Scalar


@dataclass(frozen=True)
class Activity:
    """What version `version` of a customer changed: `action` is `created`,
    `account_updated`, `service_plan_updated`, `contact_added`, `contact_updated`,
    `contact_deleted`, `groups_updated` or `deleted`; `actor` is the `sub` of the token
    that made it."""

    version: int
    action: str
    actor: str | None
    at: dt.datetime
    changes: tuple[FieldChange, ...] = ()


def record(action: str, actor: str | None, before: Customer | None, after: Customer) -> Activity:
    """The entry of `after`, the change of `before` (None for a new customer) by `actor`."""
    at = after.updated_at or after.created_at
    if at is None:
        raise ValueError("a recorded change needs its time")
    changes = () if after.deleted else tuple(_differences(before, after))
    return Activity(after.version, action, actor, at, changes)


def erased(activity: Activity) -> Activity:
    """The entry as it is kept once its customer is deleted: who, when, what action and
    which fields, without the values (contact names, e-mails, phones, addresses are
    personal data, and nobody can read a deleted customer's trail any more)."""
    return dataclasses.replace(
        activity, changes=tuple(FieldChange(c.field, None, None) for c in activity.changes)
    )


def _differences(before: Customer | None, after: Customer) -> list[FieldChange]:
    changes = _compare("account", _fields(before and before.account), _fields(after.account))
    changes += _compare(
        "service_plan", _fields(before and before.service_plan), _fields(after.service_plan)
    )
    old_contacts = {c.id: c for c in before.contacts} if before else {}
    new_contacts = {c.id: c for c in after.contacts}
    for contact_id in dict.fromkeys([*old_contacts, *new_contacts]):
        changes += _compare(
            f"contacts.{contact_id}",
            _contact_fields(old_contacts.get(contact_id)),
            _contact_fields(new_contacts.get(contact_id)),
        )
    old_groups = before.groups if before else frozenset()
    changes += _compare(
        "groups",
        {group: group for group in sorted(old_groups)},
        {group: group for group in sorted(after.groups)},
    )
    return changes


def _compare(prefix: str, old: dict[str, Scalar], new: dict[str, Scalar]) -> list[FieldChange]:
    return [
        FieldChange(f"{prefix}.{name}", old.get(name), new.get(name))
        for name in dict.fromkeys([*old, *new])
        if old.get(name) != new.get(name)
    ]


def _contact_fields(contact: Contact | None) -> dict[str, Scalar]:
    fields = _fields(contact)
    fields.pop("id", None)
    return fields


def _fields(part: Any) -> dict[str, Scalar]:
    if part is None:
        return {}
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in dataclasses.asdict(part).items()
    }
