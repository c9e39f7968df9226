"""The gateway's own answers, composed of the services': the portal's customers list (each
row with its `sla_health`) and the Customer Details page (Summary and SLA tabs at once)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from msc_contracts.http.customers import (
    AccountPublic,
    ConsumptionPublic,
    ContactPublic,
    CustomerListItem,
    ServicePlanPublic,
)
from msc_contracts.http.sla import SlaPublic
from msc_contracts.vocabulary import Health


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
    groups: list[str] = Field(
        default_factory=list, description="The customer groups it belongs to, by name."
    )


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
