"""The portal API's bodies and answers, as the gateway validates and documents them.

The bodies and the Summary and SLA shapes are copies of customer_svc's and sla_svc's (the
services answer them; the gateway passes their JSON on): `tests/contract/test_http_schemas.py`
fails when a copy drifts. The bodies' field types are `msc_contracts.fields`', defined once
for both sides and the events. The composed answers (the customers page, the details view)
are the gateway's own.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from msc_contracts.bounds import MAX_CONTACTS
from msc_contracts.fields import (
    AccountName,
    Address,
    CreditQuota,
    CustomerName,
    Edition,
    Email,
    Id,
    IsoDate,
    PersonName,
    Phone,
    PlanName,
    Region,
    TenantType,
)
from msc_contracts.vocabulary import Health, Severity, Window


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
    plan_badges: list[Literal["expired", "expires_soon", "credits_over_80", "credits_over_100"]] = (
        Field(description="The plan expires within 30 days or has; credits over 80 % / 100 %.")
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
    action: Literal[
        "created",
        "account_updated",
        "service_plan_updated",
        "contact_added",
        "contact_updated",
        "contact_deleted",
        "deleted",
    ]
    actor: str | None
    at: dt.datetime
    changes: list[FieldChangePublic]


class ActivityPage(BaseModel):
    """A page of a customer's audit trail, newest first."""

    items: list[ActivityEntry]
    next_cursor: str | None


# ---- the SLA tab (sla_svc's answer) ----


class JobCountsPublic(BaseModel):
    """Terminal jobs of one type that ended in the window."""

    total: int
    successful: int
    successful_with_errors: int
    failed: int
    canceled: int
    success_rate: float | None


class SeverityCounts(BaseModel):
    """Alerts by severity."""

    critical: int
    warning: int
    info: int


class AlertsPublic(BaseModel):
    """Open alerts and alerts raised in the window."""

    open: SeverityCounts
    acknowledged: SeverityCounts = Field(
        description="Open alerts someone has acknowledged (also counted in `open`)."
    )
    raised_in_window: SeverityCounts


class JobPublic(BaseModel):
    """`last_backup` / `last_restore`."""

    job_id: str
    status: str
    started_at: str | None
    ended_at: str | None


class FailurePublic(BaseModel):
    """`last_failure` of a backup set: the job and the agent's error (its message cut at 300
    characters)."""

    job_id: str
    ended_at: str | None
    error_code: str | None
    error_message: str | None


class BackupSetPublic(BaseModel):
    """One row of the backup set table."""

    backup_set_id: str
    name: str | None
    workload: str | None
    rpo_hours: int
    rpo_status: Literal["ok", "breached", "never"]
    last_successful_backup_at: str | None
    last_backup: JobPublic | None
    last_restore: JobPublic | None
    last_failure: FailurePublic | None = Field(
        description="The latest backup job that failed, with the agent's error."
    )
    open_alerts: int


class BackupSetsPublic(BaseModel):
    """The backup set table, one page of it."""

    total: int
    rpo_breached: int
    never_backed_up: int
    items: list[BackupSetPublic]
    next_cursor: str | None


class SlaPublic(BaseModel):
    """The SLA tab."""

    window: Window
    as_of: str = Field(examples=["2026-11-28T05:00:00Z"])
    backup_jobs: JobCountsPublic
    restore_jobs: JobCountsPublic
    alerts: AlertsPublic
    backup_sets: BackupSetsPublic


# ---- the gateway's composed answers ----


class JobHistoryEntry(BaseModel):
    """One job of a backup set's history."""

    job_id: str
    job_type: Literal["backup", "restore"]
    status: str
    started_at: str | None
    ended_at: str | None
    bytes_transferred: int
    error_code: str | None
    error_message: str | None


class JobHistory(BaseModel):
    """The latest 20 jobs of a backup set, newest first (by `started_at`, else the job's
    latest event)."""

    backup_set_id: str
    items: list[JobHistoryEntry]


class AcknowledgementPublic(BaseModel):
    """Who acknowledged an alert (the `sub` of their token) and when."""

    by: str
    at: str = Field(examples=["2026-11-28T05:00:00Z"])


class AlertPublic(BaseModel):
    """One open alert."""

    alert_id: str
    severity: Severity
    alert_type: str | None
    message: str | None
    backup_set_id: str | None
    raised_at: str = Field(examples=["2026-11-28T04:12:09Z"])
    acknowledged: AcknowledgementPublic | None


class AlertPage(BaseModel):
    """Open alerts, newest raised first."""

    items: list[AlertPublic]
    next_cursor: str | None


class AcknowledgementCreate(BaseModel):
    """`POST .../alerts/acknowledgements` body: the open alert to acknowledge."""

    model_config = ConfigDict(extra="forbid")

    alert_id: Id = Field(description="The alert, as its events name it.")


class AcknowledgementAccepted(BaseModel):
    """The acknowledgement, accepted (applied within moments) or kept from before."""

    alert_id: str
    acknowledged: AcknowledgementPublic


class CustomerListEntry(CustomerListItem):
    """One row of the portal's customers list."""

    sla_health: Health = Field(description="`critical`, `warning`, `unknown` or `ok`.")


class CustomerPage(BaseModel):
    """A page of the portal's customers list."""

    items: list[CustomerListEntry]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class Summary(BaseModel):
    """The Summary tab."""

    account: AccountPublic
    service_plan: ServicePlanPublic
    consumption: ConsumptionPublic
    contacts: list[ContactPublic]


class SourceError(BaseModel):
    """A part of the view that could not be had, and why."""

    source: str = Field(examples=["sla_svc"])
    message: str = Field(examples=["timed out"])


class CustomerDetails(BaseModel):
    """The Customer Details page: both tabs in one answer."""

    id: str
    summary: Summary
    sla: SlaPublic | None = Field(
        description="Missing (null) when sla_svc could not answer in time."
    )
    partial: bool = Field(description="True when a part is missing; `errors` says which.")
    errors: list[SourceError]
