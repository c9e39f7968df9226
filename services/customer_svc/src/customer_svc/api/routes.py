"""Routes: parse, call the service, answer; errors are mapped in `api/errors.py`."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from pydantic import BaseModel

from customer_svc.domain.consumption import Consumption
from customer_svc.domain.customer_groups import Restriction
from customer_svc.domain.model import Account, Contact, Customer, ServicePlan
from customer_svc.domain.plan_health import plan_badges, quota_used
from customer_svc.service import CustomerService, account_and_plan
from msc_contracts.fields import GroupName
from msc_contracts.http import customers as schemas
from msc_platform.http import (
    ACTOR_HEADER,
    CUSTOMER_GROUPS_HEADER,
    PathId,
    Problem,
    actor_of,
    groups_of,
)

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])
settings_router = APIRouter(prefix="/api/v1", tags=["settings"])
groups_router = APIRouter(prefix="/api/v1", tags=["customer groups"])


@settings_router.get("/storage-regions", response_model=schemas.StorageRegions)
async def storage_regions(service: ServiceDep) -> dict[str, Any]:
    """The storage regions a service plan may name (`MSC_STORAGE_REGIONS`)."""
    return {"items": list(service.storage_regions)}


async def get_service(request: Request) -> CustomerService:
    """The service built by `create_app`."""
    service: CustomerService = request.app.state.service
    return service


ServiceDep = Annotated[CustomerService, Depends(get_service)]
IfMatch = Annotated[str | None, Header(description="The customer's ETag, for a safe write.")]
ActorHeader = Annotated[
    str | None,
    Header(alias=ACTOR_HEADER, description="Who makes the change, for the audit trail."),
]


async def restriction(
    groups: Annotated[
        str | None,
        Header(
            alias=CUSTOMER_GROUPS_HEADER,
            description="The customer groups the caller is restricted to (absent: none).",
        ),
    ] = None,
) -> Restriction:
    """The caller's restriction, as the gateway names it (trusted: only the gateway, with
    its service credential, calls this service)."""
    return groups_of(groups)


RestrictionDep = Annotated[Restriction, Depends(restriction)]


@groups_router.get("/customer-groups", response_model=schemas.CustomerGroups)
async def customer_groups(service: ServiceDep, restricted_to: RestrictionDep) -> dict[str, Any]:
    """The customer groups in use, by name, with how many customers each has."""
    sizes = await service.groups(restricted_to)
    return {"items": [{"name": name, "customers": sizes[name]} for name in sorted(sizes)]}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.CustomerPublic)
async def create_customer(
    body: schemas.CustomerCreate,
    service: ServiceDep,
    response: Response,
    restricted_to: RestrictionDep,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Create a customer (in the caller's groups, for a restricted caller)."""
    customer = await service.create(
        Account(**body.account.model_dump()),
        ServicePlan(**body.service_plan.model_dump()),
        [Contact(id="", **c.model_dump()) for c in body.contacts],
        actor_of(actor),
        restricted_to,
    )
    response.headers["Location"] = f"/api/v1/customers/{customer.id}"
    return _public(customer, await service.consumption(customer.id), response)


@router.get("", response_model=schemas.CustomerList)
async def list_customers(
    service: ServiceDep,
    restricted_to: RestrictionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    group: Annotated[GroupName | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    """Customers ordered by account name; `q` matches a substring of either name, `group`
    keeps the customers of that group."""
    page = await service.list(q, limit, cursor, restricted_to, group)
    items = [list_item(c) | plan_health(c, page.credits[c.id], page.today) for c in page.customers]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get("/{customer_id}", response_model=schemas.CustomerPublic)
async def get_customer(
    customer_id: PathId, service: ServiceDep, response: Response, restricted_to: RestrictionDep
) -> dict[str, Any]:
    """The Summary tab of one customer."""
    customer, usage = await asyncio.gather(
        service.get(customer_id, restricted_to), service.consumption(customer_id)
    )
    return _public(customer, usage, response)


@router.get("/{customer_id}/activity", response_model=schemas.ActivityPage)
async def customer_activity(
    customer_id: PathId,
    service: ServiceDep,
    restricted_to: RestrictionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """The customer's audit trail, newest first."""
    page = await service.activity(customer_id, limit, cursor, restricted_to)
    return {
        "items": [dataclasses.asdict(entry) for entry in page.entries],
        "next_cursor": page.next_cursor,
    }


@router.patch("/{customer_id}/account", response_model=schemas.CustomerPublic)
async def update_account(
    customer_id: PathId,
    body: schemas.AccountUpdate,
    service: ServiceDep,
    response: Response,
    restricted_to: RestrictionDep,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Change account fields (only those sent)."""
    changes = _changes(body, "account")
    customer = await service.update_account(
        customer_id, changes, if_match, actor_of(actor), restricted_to
    )
    return _public(customer, await service.consumption(customer.id), response)


@router.patch("/{customer_id}/service-plan", response_model=schemas.CustomerPublic)
async def update_service_plan(
    customer_id: PathId,
    body: schemas.ServicePlanUpdate,
    service: ServiceDep,
    response: Response,
    restricted_to: RestrictionDep,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Change service plan fields (only those sent)."""
    changes = _changes(body, "service_plan")
    customer = await service.update_service_plan(
        customer_id, changes, if_match, actor_of(actor), restricted_to
    )
    return _public(customer, await service.consumption(customer.id), response)


@router.post(
    "/{customer_id}/contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ContactPublic,
)
async def add_contact(
    customer_id: PathId,
    body: schemas.ContactCreate,
    service: ServiceDep,
    response: Response,
    restricted_to: RestrictionDep,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Add a contact."""
    customer, contact = await service.add_contact(
        customer_id, Contact(id="", **body.model_dump()), if_match, actor_of(actor), restricted_to
    )
    response.headers["ETag"] = customer.etag
    response.headers["Location"] = f"/api/v1/customers/{customer_id}/contacts/{contact.id}"
    return dataclasses.asdict(contact)


@router.patch("/{customer_id}/contacts/{contact_id}", response_model=schemas.ContactPublic)
async def update_contact(
    customer_id: PathId,
    contact_id: PathId,
    body: schemas.ContactUpdate,
    service: ServiceDep,
    response: Response,
    restricted_to: RestrictionDep,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Change contact fields (only those sent)."""
    changes = _changes(body, "contact")
    customer, contact = await service.update_contact(
        customer_id, contact_id, changes, if_match, actor_of(actor), restricted_to
    )
    response.headers["ETag"] = customer.etag
    return dataclasses.asdict(contact)


@router.delete("/{customer_id}/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_contact(
    customer_id: PathId,
    contact_id: PathId,
    service: ServiceDep,
    restricted_to: RestrictionDep,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> Response:
    """Remove a contact."""
    customer = await service.delete_contact(
        customer_id, contact_id, if_match, actor_of(actor), restricted_to
    )
    return Response(status_code=204, headers={"ETag": customer.etag})


@router.put("/{customer_id}/groups", response_model=schemas.CustomerPublic)
async def set_groups(
    customer_id: PathId,
    body: schemas.CustomerGroupsUpdate,
    service: ServiceDep,
    response: Response,
    restricted_to: RestrictionDep,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Put the customer in exactly these groups (403 for a restricted caller)."""
    customer = await service.set_groups(
        customer_id, body.groups, if_match, actor_of(actor), restricted_to
    )
    return _public(customer, await service.consumption(customer.id), response)


@router.delete("/{customer_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_customer(
    customer_id: PathId,
    service: ServiceDep,
    restricted_to: RestrictionDep,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> Response:
    """Delete the customer with its contacts and usage."""
    await service.delete(customer_id, if_match, actor_of(actor), restricted_to)
    return Response(status_code=204)


def list_item(customer: Customer) -> dict[str, Any]:
    """A row of the customers list: the id, the account names and the plan terms."""
    return {"id": customer.id, **account_and_plan(customer)}


def plan_health(customer: Customer, credits: float, today: dt.date) -> dict[str, Any]:
    """The list row's `quota_used` and `plan_badges`."""
    plan = customer.service_plan
    return {
        "quota_used": quota_used(plan, credits),
        "plan_badges": plan_badges(plan, credits, today),
    }


def _public(customer: Customer, usage: Consumption, response: Response) -> dict[str, Any]:
    response.headers["ETag"] = customer.etag
    return {
        "id": customer.id,
        "account": dataclasses.asdict(customer.account),
        "service_plan": dataclasses.asdict(customer.service_plan),
        "consumption": dataclasses.asdict(usage),
        "contacts": [dataclasses.asdict(c) for c in customer.contacts],
        "groups": sorted(customer.groups),
    }


def _changes(body: BaseModel, part: str) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    cleared = sorted(
        f for f in schemas.REQUIRED_ON_UPDATE[part] if f in changes and changes[f] is None
    )
    if cleared:
        raise Problem(
            422,
            "Validation failed",
            f"invalid fields: {', '.join(cleared)}",
            errors=[{"field": f, "message": "may not be null"} for f in cleared],
        )
    return changes
