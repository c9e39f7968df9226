"""The customers' HTTP bodies and answers (docs/CONTRACT.md section 3): customer_svc answers
them, the gateway validates the bodies, documents both and forwards them.

Each field's type, and so its bounds, is `msc_contracts.fields`', the one the lifecycle
events use too. The answers' fields stay unbounded: a customer stored under older bounds is
shown as stored.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from msc_contracts.bounds import MAX_CONTACTS, MAX_GROUPS
from msc_contracts.fields import (
    AccountName,
    Address,
    CreditQuota,
    CustomerName,
    Edition,
    Email,
    GroupName,
    IsoDate,
    PersonName,
    Phone,
    PlanName,
    Region,
    TenantType,
)
from msc_contracts.vocabulary import ActivityAction, PlanBadge


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountCreate(_Body):
    """Account details of a new customer."""

    name: AccountName = Field(description="Account name, unique without regard to case.")
    customer_name: CustomerName | None = Field(
        default=None, description="The customer's legal name."
    )
    address: Address | None = Field(default=None, description="Postal address.")
    phone: Phone | None = Field(default=None, description="Phone in E.164.")


class AccountUpdate(_Body):
    """A partial change of the account details: only the fields sent change."""

    name: AccountName | None = None
    customer_name: CustomerName | None = None
    address: Address | None = None
    phone: Phone | None = None


class ServicePlanCreate(_Body):
    """Service plan of a new customer."""

    plan: PlanName
    storage_region: Region = Field(description="One of the configured storage regions.")
    tenant_type: TenantType
    edition: Edition
    expiry_date: IsoDate | None = None
    credit_quota: CreditQuota | None = None
    credit_quota_effective_date: IsoDate | None = None


class ServicePlanUpdate(_Body):
    """A partial change of the service plan."""

    plan: PlanName | None = None
    storage_region: Region | None = None
    tenant_type: TenantType | None = None
    edition: Edition | None = None
    expiry_date: IsoDate | None = None
    credit_quota: CreditQuota | None = None
    credit_quota_effective_date: IsoDate | None = None


class ContactCreate(_Body):
    """A new contact."""

    name: PersonName
    email: Email
    phone: Phone | None = None


class ContactUpdate(_Body):
    """A partial change of a contact."""

    name: PersonName | None = None
    email: Email | None = None
    phone: Phone | None = None


class CustomerCreate(_Body):
    """`POST /customers` body."""

    account: AccountCreate
    service_plan: ServicePlanCreate
    contacts: list[ContactCreate] = Field(default_factory=list, max_length=MAX_CONTACTS)


class CustomerGroupsUpdate(_Body):
    """`PUT /customers/{id}/groups` body: every customer group the customer belongs to from
    now on (a name given twice counts once)."""

    groups: list[GroupName] = Field(
        max_length=MAX_GROUPS,
        description="Group names (a reseller, a team); `[]` takes the customer out of all.",
        examples=[["Reseller North", "Team Blue"]],
    )


def _required(body: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, info in body.model_fields.items() if info.is_required())


REQUIRED_ON_UPDATE = {
    "account": _required(AccountCreate),
    "service_plan": _required(ServicePlanCreate),
    "contact": _required(ContactCreate),
}
"""The fields of each part that a change may leave out but not clear (`null`): those a new
customer must have."""


class AccountPublic(BaseModel):
    """Account details as shown."""

    name: str
    customer_name: str | None
    address: str | None
    phone: str | None


class ServicePlanPublic(BaseModel):
    """Service plan as shown."""

    plan: str | None
    storage_region: str | None
    tenant_type: str | None
    expiry_date: dt.date | None
    edition: str | None
    credit_quota: int | None
    credit_quota_effective_date: dt.date | None


class ContactPublic(BaseModel):
    """A contact as shown."""

    id: str
    name: str
    email: str
    phone: str | None


class DailyUsagePublic(BaseModel):
    """One day of usage."""

    date: dt.date
    credits_consumed: float
    storage_bytes: int


class ConsumptionPublic(BaseModel):
    """Credits and storage of the last 90 UTC days."""

    window_days: int
    credits_consumed: float
    storage_consumed_bytes: int
    daily: list[DailyUsagePublic]


class CustomerPublic(BaseModel):
    """A customer: the Summary tab."""

    id: str
    account: AccountPublic
    service_plan: ServicePlanPublic
    consumption: ConsumptionPublic
    contacts: list[ContactPublic]
    groups: list[str] = Field(description="The customer groups it belongs to, by name.")


class CustomerGroup(BaseModel):
    """A customer group in use, and how many customers belong to it."""

    name: str
    customers: int


class CustomerGroups(BaseModel):
    """The customer groups that customers belong to, by name (a caller restricted to some
    groups sees those only)."""

    items: list[CustomerGroup]


class StorageRegions(BaseModel):
    """The storage regions a service plan may name, in the order to offer them."""

    items: list[str] = Field(examples=[["us-east-1", "eu-west-1"]])


class CustomerListItem(BaseModel):
    """One row of the customers list (the gateway adds `sla_health`)."""

    id: str
    name: str
    customer_name: str | None
    plan: str | None
    edition: str | None
    tenant_type: str | None
    storage_region: str | None
    expiry_date: dt.date | None
    quota_used: float | None = Field(
        description="The last 90 days' credits as a share of the credit quota (1.0 = all)."
    )
    plan_badges: list[PlanBadge] = Field(
        description="The plan expires within 30 days or has; credits over 80 % / 100 %."
    )


class CustomerList(BaseModel):
    """A page of the customers list (customer_svc's answer, without `sla_health`)."""

    items: list[CustomerListItem]
    next_cursor: str | None


class FieldChangePublic(BaseModel):
    """One field's value before and after a change (`null` where there was none)."""

    field: str = Field(examples=["service_plan.credit_quota"])
    old: str | int | float | bool | None
    new: str | int | float | bool | None


class ActivityEntry(BaseModel):
    """One change to a customer: which version it made, what, who (`sub`), when."""

    version: int
    action: ActivityAction
    actor: str | None
    at: dt.datetime
    changes: list[FieldChangePublic]


class ActivityPage(BaseModel):
    """A page of a customer's audit trail, newest first."""

    items: list[ActivityEntry]
    next_cursor: str | None
