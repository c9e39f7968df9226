"""Customers as the MSP sees them on the Summary tab."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from customer_svc.domain.activity import Activity


@dataclass(frozen=True)
class Account:
    """Account details: the MSP's account name and the customer it belongs to."""

    name: str
    customer_name: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ServicePlan:
    """The customer's service plan."""

    plan: str | None = None
    storage_region: str | None = None
    tenant_type: str | None = None
    expiry_date: dt.date | None = None
    edition: str | None = None
    credit_quota: int | None = None
    credit_quota_effective_date: dt.date | None = None


@dataclass(frozen=True)
class Contact:
    """A person to reach at the customer."""

    id: str
    name: str
    email: str
    phone: str | None = None


@dataclass(frozen=True)
class FormerName:
    """A name key the customer had until `until` (see `domain/customer_list.py`)."""

    key: str
    until: dt.datetime


@dataclass(frozen=True)
class PendingEvent:
    """A lifecycle event stored with the change it announces, until the broker has it."""

    id: str
    type: str
    time: dt.datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class Customer:
    """A customer of the MSP: one account, one service plan, its contacts, the customer
    groups it belongs to (`domain/customer_groups.py`), one version."""

    id: str
    account: Account
    service_plan: ServicePlan
    contacts: tuple[Contact, ...] = ()
    groups: frozenset[str] = frozenset()
    version: int = 1
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    deleted: bool = False
    former_names: tuple[FormerName, ...] = ()
    pending_events: tuple[PendingEvent, ...] = field(default=(), compare=False)
    pending_activity: Activity | None = field(default=None, compare=False)
    """The audit trail's entry of this version, stored with it (as its events are)."""

    @property
    def etag(self) -> str:
        """The entity tag of this version of the customer."""
        return format_etag(self.id, self.version)

    def contact(self, contact_id: str) -> Contact | None:
        """The contact with that id, if the customer has it."""
        return next((c for c in self.contacts if c.id == contact_id), None)

    def next_version(self, **changes: Any) -> Customer:
        """The customer after a change: same id, version + 1, nothing pending."""
        return replace(
            self, version=self.version + 1, pending_events=(), pending_activity=None, **changes
        )


def format_etag(customer_id: str, version: int) -> str:
    """A strong entity tag naming the customer and its version."""
    return f'"{customer_id}.v{version}"'


def name_key(name: str) -> str:
    """The account name as compared for uniqueness and ordering: compatibility forms
    (full-width letters, ligatures, circled digits) and case folded, runs of white space
    as one space. NFKC again after the case fold, since folding can undo the normal form;
    stored keys of an older fold are moved by `adapters/name_keys.py`."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())
