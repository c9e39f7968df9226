"""The customer's own routes, answered by customer_svc: the storage regions a plan may name,
a customer's audit trail, and every change (create, edit, contacts, delete).

`Guard` has checked that any change comes from an `msp_admin` before the body was read.
Bodies are validated here with the contract's models (so the OpenAPI document is complete
and a malformed body never travels further) and forwarded as sent: partial bodies stay
partial, and customer_svc applies the rules that need its data (unique names, regions).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from gateway.api.deps import caller, services
from gateway.api.forward import listing_from_customer_svc, to_customer_svc
from gateway.api.openapi import READ, WRITE, answers, problems
from gateway.api.params import IfMatch
from gateway.api.route_class import portal_router
from gateway.upstream import customer_path
from msc_contracts.http import customers
from msc_platform.http import PathId

router = portal_router()


@router.get(
    "/storage-regions",
    responses=answers(customers.StorageRegions, problems(503), headers=()),
)
async def storage_regions(request: Request) -> Response:
    """The storage regions a service plan may name (for MSP staff, who edit plans)."""
    caller(request).require_msp_staff("read the storage regions")
    return await listing_from_customer_svc(request, "/api/v1/storage-regions", "the regions")


@router.post(
    "/customers",
    status_code=201,
    responses=answers(customers.CustomerPublic, problems(409, 422, 503), 201, ("ETag", "Location")),
)
async def create_customer(body: customers.CustomerCreate, request: Request) -> Response:
    """Create a customer; the answer carries its `ETag` and `Location`."""
    return await to_customer_svc(request, "/api/v1/customers", body)


@router.get(
    "/customers/{customer_id}/activity",
    responses=answers(customers.ActivityPage, READ, headers=()),
)
async def customer_activity(
    customer_id: PathId,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=20, description="Older entries.")] = None,
) -> Response:
    """Who changed what in the customer, and when, newest first (MSP staff only)."""
    caller(request).require_msp_staff("read a customer's activity")
    params = {k: v for k, v in {"limit": limit, "cursor": cursor}.items() if v is not None}
    answer = await services(request).customers.request(
        "GET", customer_path(customer_id, "activity"), params=params
    )
    return Response(
        answer.content, answer.status_code, media_type=answer.headers.get("Content-Type")
    )


@router.patch(
    "/customers/{customer_id}/account",
    responses=answers(customers.CustomerPublic, problems(404, 409, 412, 422, 503)),
)
async def update_account(
    customer_id: PathId,
    body: customers.AccountUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Edit account details: only the fields sent change."""
    return await to_customer_svc(request, customer_path(customer_id, "account"), body)


@router.patch(
    "/customers/{customer_id}/service-plan", responses=answers(customers.CustomerPublic, WRITE)
)
async def update_service_plan(
    customer_id: PathId,
    body: customers.ServicePlanUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Edit the service plan: only the fields sent change."""
    path = customer_path(customer_id, "service-plan")
    return await to_customer_svc(request, path, body)


@router.post(
    "/customers/{customer_id}/contacts",
    status_code=201,
    responses=answers(customers.ContactPublic, WRITE, 201),
)
async def add_contact(
    customer_id: PathId,
    body: customers.ContactCreate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Add a contact."""
    return await to_customer_svc(request, customer_path(customer_id, "contacts"), body)


@router.patch(
    "/customers/{customer_id}/contacts/{contact_id}",
    responses=answers(customers.ContactPublic, WRITE),
)
async def update_contact(
    customer_id: PathId,
    contact_id: PathId,
    body: customers.ContactUpdate,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Edit a contact: only the fields sent change."""
    path = customer_path(customer_id, "contacts", contact_id)
    return await to_customer_svc(request, path, body)


@router.delete("/customers/{customer_id}/contacts/{contact_id}", status_code=204, responses=WRITE)
async def delete_contact(
    customer_id: PathId,
    contact_id: PathId,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Delete a contact."""
    path = customer_path(customer_id, "contacts", contact_id)
    return await to_customer_svc(request, path)


@router.delete("/customers/{customer_id}", status_code=204, responses=WRITE)
async def delete_customer(
    customer_id: PathId,
    request: Request,
    if_match: IfMatch = None,
) -> Response:
    """Delete the customer; its SLA data follows through `customers.events`."""
    return await to_customer_svc(request, customer_path(customer_id))
