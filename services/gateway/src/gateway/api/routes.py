"""Portal routes: check the caller, then compose or forward."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from gateway import compose
from gateway.api.deps import CustomersDep, PrincipalDep, SlaDep
from gateway.upstream import Upstream
from msc_platform.http import Problem

router = APIRouter(prefix="/api/v1", tags=["portal"])
Window = Annotated[Literal["24h", "7d", "30d"], Query(description="SLA statistics window.")]
IfMatch = Annotated[str | None, Header(description="The customer's ETag.")]
FORWARDED_HEADERS = ("ETag", "Location")


@router.get("/customers")
async def list_customers(
    who: PrincipalDep,
    customers: CustomersDep,
    sla: SlaDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Any:
    """Customers ordered by account name, with `sla_health`."""
    who.may_list()
    params = {k: v for k, v in {"q": q, "limit": limit, "cursor": cursor}.items() if v is not None}
    return await compose.customers_page(customers, sla, params)


@router.post("/customers", status_code=201)
async def create_customer(who: PrincipalDep, request: Request, customers: CustomersDep) -> Response:
    """Create a customer: body `{account, service_plan, contacts?}`."""
    who.may_write()
    return await _forward(customers, request, "/api/v1/customers")


@router.get("/customers/{customer_id}/details")
async def customer_details(
    customer_id: str,
    who: PrincipalDep,
    customers: CustomersDep,
    sla: SlaDep,
    window: Window = "7d",
) -> JSONResponse:
    """The Customer Details page: Summary and SLA tabs."""
    _check_visible(who.sees_customer(customer_id), customer_id)
    details = await compose.customer_details(customers, sla, customer_id, window)
    headers = {"ETag": details.etag} if details.etag else {}
    return JSONResponse(details.body, headers=headers)


@router.get("/customers/{customer_id}/sla")
async def customer_sla(
    customer_id: str,
    who: PrincipalDep,
    customers: CustomersDep,
    sla: SlaDep,
    window: Window = "7d",
) -> Any:
    """The SLA tab alone."""
    _check_visible(who.sees_customer(customer_id), customer_id)
    return await compose.customer_sla(customers, sla, customer_id, window)


@router.patch("/customers/{customer_id}/account")
async def update_account(
    customer_id: str,
    who: PrincipalDep,
    request: Request,
    customers: CustomersDep,
    if_match: IfMatch = None,
) -> Response:
    """Edit account details (partial body)."""
    who.may_write()
    return await _forward(customers, request, f"/api/v1/customers/{customer_id}/account")


@router.patch("/customers/{customer_id}/service-plan")
async def update_service_plan(
    customer_id: str,
    who: PrincipalDep,
    request: Request,
    customers: CustomersDep,
    if_match: IfMatch = None,
) -> Response:
    """Edit the service plan (partial body)."""
    who.may_write()
    return await _forward(customers, request, f"/api/v1/customers/{customer_id}/service-plan")


@router.post("/customers/{customer_id}/contacts", status_code=201)
async def add_contact(
    customer_id: str,
    who: PrincipalDep,
    request: Request,
    customers: CustomersDep,
    if_match: IfMatch = None,
) -> Response:
    """Add a contact."""
    who.may_write()
    return await _forward(customers, request, f"/api/v1/customers/{customer_id}/contacts")


@router.patch("/customers/{customer_id}/contacts/{contact_id}")
async def update_contact(
    customer_id: str,
    contact_id: str,
    who: PrincipalDep,
    request: Request,
    customers: CustomersDep,
    if_match: IfMatch = None,
) -> Response:
    """Edit a contact (partial body)."""
    who.may_write()
    path = f"/api/v1/customers/{customer_id}/contacts/{contact_id}"
    return await _forward(customers, request, path)


@router.delete("/customers/{customer_id}/contacts/{contact_id}", status_code=204)
async def delete_contact(
    customer_id: str,
    contact_id: str,
    who: PrincipalDep,
    request: Request,
    customers: CustomersDep,
    if_match: IfMatch = None,
) -> Response:
    """Delete a contact."""
    who.may_write()
    path = f"/api/v1/customers/{customer_id}/contacts/{contact_id}"
    return await _forward(customers, request, path)


@router.delete("/customers/{customer_id}", status_code=204)
async def delete_customer(
    customer_id: str,
    who: PrincipalDep,
    request: Request,
    customers: CustomersDep,
    if_match: IfMatch = None,
) -> Response:
    """Delete the customer; its SLA data follows through `customers.events`."""
    who.may_write()
    return await _forward(customers, request, f"/api/v1/customers/{customer_id}")


def _check_visible(visible: bool, customer_id: str) -> None:
    if not visible:
        raise Problem(404, "Not found", f"customer {customer_id} does not exist")


async def _forward(upstream: Upstream, request: Request, path: str) -> Response:
    headers = {
        name: value
        for name in ("Content-Type", "If-Match")
        if (value := request.headers.get(name)) is not None
    }
    answer = await upstream.request(
        request.method, path, content=await request.body(), headers=headers
    )
    passed = {h: v for h in FORWARDED_HEADERS if (v := answer.headers.get(h)) is not None}
    media_type = answer.headers.get("Content-Type")
    if answer.status_code == 204:
        return Response(status_code=204, headers=passed)
    return Response(answer.content, answer.status_code, headers=passed, media_type=media_type)
