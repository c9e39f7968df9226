"""Routes: parse, call the service, answer; errors are mapped in `api/errors.py`."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from pydantic import BaseModel

from customer_svc.domain.consumption import Consumption
from customer_svc.domain.model import Account, Contact, Customer, ServicePlan
from customer_svc.domain.plan_health import plan_badges, quota_used
from customer_svc.service import CustomerService, account_and_plan
from msc_contracts.http import customers as schemas
from msc_platform.http import ACTOR_HEADER, PathId, Problem, actor_of

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])
settings_router = APIRouter(prefix="/api/v1", tags=["settings"])


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


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.CustomerPublic)
async def create_customer(
    body: schemas.CustomerCreate, service: ServiceDep, response: Response, actor: ActorHeader = None
) -> dict[str, Any]:
    """Create a customer."""
    customer = await service.create(
        Account(**body.account.model_dump()),
        ServicePlan(**body.service_plan.model_dump()),
        [Contact(id="", **c.model_dump()) for c in body.contacts],
        actor_of(actor),
    )
    response.headers["Location"] = f"/api/v1/customers/{customer.id}"
    return _public(customer, await service.consumption(customer.id), response)


@router.get("", response_model=schemas.CustomerList)
async def list_customers(
    service: ServiceDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    """Customers ordered by account name; `q` matches a substring of either name."""
    page = await service.list(q, limit, cursor)
    items = [list_item(c) | plan_health(c, page.credits[c.id], page.today) for c in page.customers]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get("/{customer_id}", response_model=schemas.CustomerPublic)
async def get_customer(
    customer_id: PathId, service: ServiceDep, response: Response
) -> dict[str, Any]:
    """The Summary tab of one customer."""
    customer, usage = await asyncio.gather(
        service.get(customer_id), service.consumption(customer_id)
    )
    return _public(customer, usage, response)


@router.get("/{customer_id}/activity", response_model=schemas.ActivityPage)
async def customer_activity(
    customer_id: PathId,
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """The customer's audit trail, newest first."""
    page = await service.activity(customer_id, limit, cursor)
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
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Change account fields (only those sent)."""
    changes = _changes(body, "account")
    customer = await service.update_account(customer_id, changes, if_match, actor_of(actor))
    return _public(customer, await service.consumption(customer.id), response)


@router.patch("/{customer_id}/service-plan", response_model=schemas.CustomerPublic)
async def update_service_plan(
    customer_id: PathId,
    body: schemas.ServicePlanUpdate,
    service: ServiceDep,
    response: Response,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Change service plan fields (only those sent)."""
    changes = _changes(body, "service_plan")
    customer = await service.update_service_plan(customer_id, changes, if_match, actor_of(actor))
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
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Add a contact."""
    customer, contact = await service.add_contact(
        customer_id, Contact(id="", **body.model_dump()), if_match, actor_of(actor)
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
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> dict[str, Any]:
    """Change contact fields (only those sent)."""
    customer, contact = await service.update_contact(
        customer_id, contact_id, _changes(body, "contact"), if_match, actor_of(actor)
    )
    response.headers["ETag"] = customer.etag
    return dataclasses.asdict(contact)


@router.delete("/{customer_id}/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_contact(
    customer_id: PathId,
    contact_id: PathId,
    service: ServiceDep,
    if_match: IfMatch = None,
    actor: ActorHeader = None,
) -> Response:
    """Remove a contact."""
    customer = await service.delete_contact(customer_id, contact_id, if_match, actor_of(actor))
    return Response(status_code=204, headers={"ETag": customer.etag})


@router.delete("/{customer_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_customer(
    customer_id: PathId, service: ServiceDep, if_match: IfMatch = None, actor: ActorHeader = None
) -> Response:
    """Delete the customer with its contacts and usage."""
    await service.delete(customer_id, if_match, actor_of(actor))
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
